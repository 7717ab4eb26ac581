package io.github.spiffeboot.server;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;

import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.ServerSessions;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeTrustManager;

/** Presents a JSSE context built on the SPIFFE key and trust managers through Tomcat's own interface. */
final class TomcatSslContextAdapter implements org.apache.tomcat.util.net.SSLContext {

    private final javax.net.ssl.SSLContext context;

    private final SpiffeKeyManager keyManager;

    private final SpiffeTrustManager trustManager;

    private final PeerRejectionListener rejectionListener;

    TomcatSslContextAdapter(javax.net.ssl.SSLContext context, SpiffeKeyManager keyManager,
            SpiffeTrustManager trustManager, PeerRejectionListener rejectionListener) {
        this.context = context;
        this.keyManager = keyManager;
        this.trustManager = trustManager;
        this.rejectionListener = rejectionListener;
    }

    @Override
    public void init(KeyManager[] kms, TrustManager[] tms, SecureRandom sr) {
        // Already initialised with the SPIFFE managers; Tomcat's key material is never used.
    }

    @Override
    public void destroy() {
    }

    @Override
    public SSLSessionContext getServerSessionContext() {
        return context.getServerSessionContext();
    }

    @Override
    public SSLEngine createSSLEngine() {
        return new ObservedSslEngine(ServerSessions.prepare(context.createSSLEngine()), rejectionListener);
    }

    @Override
    public SSLServerSocketFactory getServerSocketFactory() {
        return context.getServerSocketFactory();
    }

    @Override
    public SSLParameters getSupportedSSLParameters() {
        return context.getSupportedSSLParameters();
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        // Tomcat asks with its own default alias, only to log the certificate.
        X509Certificate[] chain = keyManager.getCertificateChain(alias);
        return (chain != null) ? chain : keyManager.getCertificateChain(keyManager.currentAlias());
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trustManager.getAcceptedIssuers();
    }
}
