/**
 * Which TLS implementation the Netty-based transports handshake with: the JDK's JSSE, or BoringSSL, either
 * netty-tcnative's (Reactor Netty server and {@code WebClient}) or grpc-netty-shaded's own copy (gRPC channels;
 * Boot's gRPC server picks its engine itself, which is checked and logged). Both engines are driven by the same
 * live SPIFFE key and trust managers ({@link io.github.spiffeboot.tls}), so either serves the current SVID and
 * verifies peers the SPIFFE way; the starter's clients never resume a TLS session on either.
 */
package io.github.spiffeboot.engine;
