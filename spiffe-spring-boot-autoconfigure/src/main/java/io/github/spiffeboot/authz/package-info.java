/**
 * Who may call what: SPIFFE ID patterns, endpoint patterns, and the compiled
 * {@link io.github.spiffeboot.authz.AuthorizationPolicy} that decides a request. Plain Java, no Spring:
 * the Spring Security integration hands it the caller's ID, the method and the path segments exactly as
 * Spring MVC parses them.
 */
package io.github.spiffeboot.authz;
