package io.github.spiffeboot.tls;

import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A client {@link SSLContext} whose connections never resume a TLS session: every connection is a full
 * handshake, in which the server's SVID is verified against the bundles of that moment and our current
 * SVID is presented.
 * <p>
 * Invalidating the session during the handshake ({@link NoResumption}) does not stop a JSSE client: in
 * TLS 1.3 it caches a new copy of the session when the server's NewSessionTicket arrives, after the
 * handshake, and resumes from that copy without calling the trust manager. What a JSSE client does
 * honour is that it looks sessions up, and caches them, only under the peer host and port an engine was
 * created with ({@link SSLContext#createSSLEngine(String, int)} calls them hints for session reuse; JDK 17
 * and 25 skip the cache entirely for an engine created without them). So every engine is created without
 * them, and the SNI host name JSSE would have derived from the host is set explicitly. This is per context:
 * no JVM-wide TLS property is touched.
 * <p>
 * Engines only: a JSSE socket always learns its peer from the address it connects to, so it could
 * resume; the socket factories are refused rather than handed out.
 */
final class NonResumingClientContext extends SSLContext {

    NonResumingClientContext(SSLContext initialized) {
        super(new Spi(initialized), initialized.getProvider(), initialized.getProtocol());
    }

    private static final class Spi extends EngineOnlyContextSpi {

        Spi(SSLContext delegate) {
            super(delegate, "client");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            SSLEngine engine = delegate().createSSLEngine();
            engine.setUseClientMode(true);
            return engine;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            // Deliberately without host and port: with them JSSE would find and resume a cached session.
            SSLEngine engine = engineCreateSSLEngine();
            SNIHostName serverName = serverName(host);
            if (serverName != null) {
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setServerNames(List.of(serverName));
                engine.setSSLParameters(parameters);
            }
            return engine;
        }

        /**
         * The SNI name JSSE sends for a host: a DNS name with at least one inner dot, not an IP literal,
         * without a trailing dot; none otherwise.
         */
        static SNIHostName serverName(String host) {
            if (host == null) {
                return null;
            }
            String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            if (name.indexOf('.') <= 0 || name.endsWith(".") || name.indexOf(':') >= 0 || isIpv4Literal(name)) {
                return null;
            }
            try {
                return new SNIHostName(name);
            }
            catch (IllegalArgumentException ex) {
                return null;
            }
        }

        private static boolean isIpv4Literal(String name) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c != '.' && (c < '0' || c > '9')) {
                    return false;
                }
            }
            return true;
        }
    }
}
