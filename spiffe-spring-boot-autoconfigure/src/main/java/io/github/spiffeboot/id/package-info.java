/**
 * SPIFFE identities: {@link io.github.spiffeboot.id.SpiffeId} and
 * {@link io.github.spiffeboot.id.TrustDomain}, parsed exactly as the SPIFFE ID standard says
 * (stricter than java-spiffe's lenient parser). Plain Java, no Spring.
 */
package io.github.spiffeboot.id;
