package io.github.spiffeboot.tls;

import java.security.KeyManagementException;
import java.security.SecureRandom;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * What the starter's {@link SSLContext} wrappers share: each wraps a context initialised on the live SVID key
 * and trust managers, so it cannot be initialised again; it hands out {@code SSLEngine}s only, because a JSSE
 * socket could resume a session without verifying its peer again; its session contexts and parameters are the
 * wrapped context's. Subclasses decide how each engine is made (prepared so that it never resumes).
 */
public abstract class EngineOnlyContextSpi extends SSLContextSpi {

    private final SSLContext delegate;

    private final String side;

    /**
     * @param delegate the initialised context whose engines this one prepares
     * @param side {@code "client"} or {@code "server"}, for the messages
     */
    protected EngineOnlyContextSpi(SSLContext delegate, String side) {
        this.delegate = delegate;
        this.side = side;
    }

    /** The wrapped context, to create the engines this one prepares. */
    protected final SSLContext delegate() {
        return delegate;
    }

    @Override
    protected final void engineInit(KeyManager[] keyManagers, TrustManager[] trustManagers, SecureRandom random)
            throws KeyManagementException {
        throw new KeyManagementException("this SPIFFE " + side + " context is initialised with the live SVID "
                + "key and trust managers and cannot be re-initialised");
    }

    @Override
    protected final SSLSocketFactory engineGetSocketFactory() {
        throw socketsRefused();
    }

    @Override
    protected final SSLServerSocketFactory engineGetServerSocketFactory() {
        throw socketsRefused();
    }

    private UnsupportedOperationException socketsRefused() {
        return new UnsupportedOperationException("SPIFFE " + side + " contexts serve SSLEngine-based " + side
                + "s (JDK HttpClient, Netty, Tomcat's adapter) only: a JSSE socket could resume a session without "
                + "verifying its peer again");
    }

    @Override
    protected final SSLSessionContext engineGetServerSessionContext() {
        return delegate.getServerSessionContext();
    }

    @Override
    protected final SSLSessionContext engineGetClientSessionContext() {
        return delegate.getClientSessionContext();
    }

    @Override
    protected final SSLParameters engineGetDefaultSSLParameters() {
        return delegate.getDefaultSSLParameters();
    }

    @Override
    protected final SSLParameters engineGetSupportedSSLParameters() {
        return delegate.getSupportedSSLParameters();
    }
}
