/**
 * Which TLS implementation the Netty-based transports (Reactor Netty server and {@code WebClient}) handshake
 * with: the JDK's JSSE, or BoringSSL through netty-tcnative. Both engines are driven by the same live SPIFFE
 * key and trust managers ({@link io.github.spiffeboot.tls}), so either serves the current SVID and verifies
 * peers the SPIFFE way; neither resumes a TLS session.
 */
package io.github.spiffeboot.engine;
