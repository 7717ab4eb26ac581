package io.github.spiffeboot.server;

import io.github.spiffeboot.engine.TlsEngine;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;

/**
 * Tomcat serves SPIFFE mTLS with the JDK's TLS only: its OpenSSL paths need either the FFM module
 * ({@code tomcat-coyote-ffm}) or tomcat-native 2.x, and neither drives the live SPIFFE key and trust managers
 * the way Netty's engine does. An explicit {@code spiffe.server.tls-engine=openssl} would otherwise be ignored
 * silently, so a Tomcat being built with it stops startup and says so ({@code auto} means the JDK's TLS here).
 * Applied to Tomcat only: a WebFlux application on Reactor Netty honours the property.
 */
public final class TomcatTlsEngineGuard implements TomcatConnectorCustomizer {

    private final TlsEngine configured;

    public TomcatTlsEngineGuard(TlsEngine configured) {
        this.configured = configured;
    }

    @Override
    public void customize(Connector connector) {
        if (configured == TlsEngine.OPENSSL) {
            throw new IllegalStateException("spiffe.server.tls-engine=openssl cannot be honoured on Tomcat: it "
                    + "serves SPIFFE mTLS with the JDK's TLS only. Remove the property (or set it to auto or jdk); "
                    + "BoringSSL is available to WebFlux applications on Reactor Netty and to WebClient "
                    + "(spiffe.client.tls-engine).");
        }
    }
}
