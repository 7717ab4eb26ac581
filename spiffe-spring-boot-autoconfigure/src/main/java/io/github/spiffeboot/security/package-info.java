/**
 * How SPIFFE identities plug into Spring Security: the peer's SPIFFE ID becomes a
 * {@link io.github.spiffeboot.security.SpiffeAuthentication} with authorities, the
 * {@link io.github.spiffeboot.authz.AuthorizationPolicy} decides each request, and
 * {@code @PreAuthorize} can speak about SPIFFE IDs through the {@code @spiffe} bean or
 * {@link io.github.spiffeboot.security.AllowedCallers}.
 */
package io.github.spiffeboot.security;
