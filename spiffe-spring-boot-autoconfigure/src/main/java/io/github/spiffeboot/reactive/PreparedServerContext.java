package io.github.spiffeboot.reactive;

import java.security.KeyManagementException;
import java.security.SecureRandom;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

import io.github.spiffeboot.server.ObservedSslEngine;
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

    private static final class Spi extends SSLContextSpi {

        private final SSLContext delegate;

        private final PeerRejectionListener rejectionListener;

        Spi(SSLContext delegate, PeerRejectionListener rejectionListener) {
            this.delegate = delegate;
            this.rejectionListener = rejectionListener;
        }

        @Override
        protected void engineInit(KeyManager[] keyManagers, TrustManager[] trustManagers, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("this SPIFFE server context is initialised with the live SVID "
                    + "key and trust managers and cannot be re-initialised");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return new ObservedSslEngine(ServerSessions.prepare(delegate.createSSLEngine()), rejectionListener);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            // The peer's address is a hint for session reuse, and sessions are never reused here.
            return engineCreateSSLEngine();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw new UnsupportedOperationException("a SPIFFE server context serves SSLEngine-based servers only");
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("SPIFFE server contexts serve SSLEngine-based servers (Netty) "
                    + "only: a JSSE socket could resume a session without verifying the client again");
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }
}
