package io.github.spiffeboot.reactive;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import io.github.spiffeboot.server.ObservedSslEngine;
import io.github.spiffeboot.tls.EngineOnlyContextSpi;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.ServerSessions;

/**
 * A server {@link SSLContext} on the SPIFFE key and trust managers whose every engine is prepared so that
 * no TLS session it negotiates can ever be resumed ({@link ServerSessions#prepare}), and reports clients
 * that send no certificate ({@link ObservedSslEngine}). Netty's {@code JdkSslContext} creates its engines
 * here, as Tomcat does through its own adapter.
 */
final class PreparedServerContext extends SSLContext {

    PreparedServerContext(SSLContext initialized, PeerRejectionListener rejectionListener) {
        super(new Spi(initialized, rejectionListener), initialized.getProvider(), initialized.getProtocol());
    }

    private static final class Spi extends EngineOnlyContextSpi {

        private final PeerRejectionListener rejectionListener;

        Spi(SSLContext delegate, PeerRejectionListener rejectionListener) {
            super(delegate, "server");
            this.rejectionListener = rejectionListener;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return new ObservedSslEngine(ServerSessions.prepare(delegate().createSSLEngine()), rejectionListener);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            // The peer's address is a hint for session reuse, and sessions are never reused here.
            return engineCreateSSLEngine();
        }
    }
}
