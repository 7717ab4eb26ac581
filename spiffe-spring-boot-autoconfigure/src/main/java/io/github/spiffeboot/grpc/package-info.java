/**
 * gRPC services on SPIFFE identities: authentication and authorization of gRPC calls by the caller's
 * X509-SVID, decided by the same {@link io.github.spiffeboot.authz.AuthorizationPolicy} as HTTP requests.
 */
package io.github.spiffeboot.grpc;
