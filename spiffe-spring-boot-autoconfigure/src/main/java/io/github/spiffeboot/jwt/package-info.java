/**
 * JWT-SVIDs: JWT bundles and tokens from the Workload API ({@link io.github.spiffeboot.jwt.WorkloadApiJwtSource}),
 * tokens for outgoing calls ({@link io.github.spiffeboot.jwt.JwtSvids}), and the verification of incoming ones
 * ({@link io.github.spiffeboot.jwt.JwtSvidValidator}) with Nimbus JOSE and Spring Security's JWT types. Depends on
 * the {@code id} and {@code source} packages only.
 */
package io.github.spiffeboot.jwt;
