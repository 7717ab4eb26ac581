/**
 * SPIFFE on reactive (WebFlux) applications served by Reactor Netty: the server serves the SVID and
 * verifies client SVIDs with the same live key and trust managers as Tomcat, and a reactive Spring Security
 * chain authenticates callers by their certificate and enforces the same {@code spiffe.authz} policy
 * ({@link io.github.spiffeboot.authz.AuthorizationPolicy}, no second rule engine), statelessly.
 */
package io.github.spiffeboot.reactive;
