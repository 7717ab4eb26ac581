package io.github.spiffeboot.server;

import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Refuses to start Tomcat with the {@code spiffe} SSL bundle ({@code server.ssl.bundle=spiffe}). Boot's
 * Tomcat support builds its connector from a bundle's key and trust stores, not its managers: it would serve
 * the SVID of startup with plain PKIX client verification, and any reload would depend on Boot rebuilding the
 * connector on each rotation, without the SPIFFE peer checks. The starter's own server support serves the
 * live SVID and verifies clients the SPIFFE way; the message says how to get it back.
 */
public final class TomcatSslBundleGuard implements WebServerFactoryCustomizer<TomcatWebServerFactory>, Ordered {

    private final String bundleName;

    public TomcatSslBundleGuard(String bundleName) {
        this.bundleName = bundleName;
    }

    @Override
    public void customize(TomcatWebServerFactory factory) {
        Ssl ssl = factory.getSsl();
        if (!Ssl.isEnabled(ssl)) {
            return;
        }
        boolean usesBundle = bundleName.equals(ssl.getBundle()) || ssl.getServerNameBundles()
            .stream()
            .anyMatch(serverName -> bundleName.equals(serverName.bundle()));
        if (usesBundle) {
            throw new IllegalStateException("server.ssl.bundle=" + bundleName + " cannot serve the SPIFFE SVID on "
                    + "Tomcat: Boot builds Tomcat's connector from the bundle's key stores, a snapshot that "
                    + "would not verify clients the SPIFFE way. Remove server.ssl.bundle (and every other "
                    + "server.ssl.* property): the SPIFFE starter then serves mTLS on Tomcat itself with the "
                    + "live SVID (spiffe.server.*), rotating without restarts.");
        }
    }

    /** After Boot's own customizers, which copy {@code server.ssl.*} onto the factory. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
