package io.github.spiffeboot.tls;

import java.security.GeneralSecurityException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import io.github.spiffeboot.source.X509ContextSource;

/**
 * Builds JSSE {@link SSLContext}s whose key and trust material follow the source live. Sessions
 * negotiated through them are never resumed (see {@link NoResumption}).
 */
public final class SpiffeSslContexts {

    private SpiffeSslContexts() {
    }

    public static SSLContext create(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] { keyManager }, new TrustManager[] { trustManager }, null);
            return context;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot create a TLS context", ex);
        }
    }

    public static SSLContext create(X509ContextSource source, PeerAuthorizer authorizer) {
        return create(new SpiffeKeyManager(source), new SpiffeTrustManager(source, authorizer));
    }
}
