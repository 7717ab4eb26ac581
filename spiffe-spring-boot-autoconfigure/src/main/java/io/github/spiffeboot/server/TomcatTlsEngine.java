package io.github.spiffeboot.server;

import io.github.spiffeboot.engine.TlsEngine;

/**
 * Tomcat serves SPIFFE mTLS with the JDK's TLS only: its OpenSSL paths need either the FFM module
 * ({@code tomcat-coyote-ffm}) or tomcat-native 2.x, and neither drives the live SPIFFE key and trust managers
 * the way Netty's engine does. An explicit {@code spiffe.server.tls-engine=openssl} on Tomcat would otherwise
 * be silently ignored, so startup stops and says so.
 */
public final class TomcatTlsEngine {

    private TomcatTlsEngine() {
    }

    /** Refuses {@link TlsEngine#OPENSSL}; {@code auto} means the JDK's TLS on Tomcat. */
    public static void check(TlsEngine configured) {
        if (configured == TlsEngine.OPENSSL) {
            throw new IllegalStateException("spiffe.server.tls-engine=openssl cannot be honoured on Tomcat: it "
                    + "serves SPIFFE mTLS with the JDK's TLS only. Remove the property (or set it to auto or jdk); "
                    + "BoringSSL is available to WebFlux applications on Reactor Netty and to WebClient "
                    + "(spiffe.client.tls-engine).");
        }
    }
}
