package io.github.spiffeboot.tls;

import java.security.GeneralSecurityException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import io.github.spiffeboot.source.X509ContextSource;

/**
 * Builds JSSE {@link SSLContext}s whose key and trust material follow the source live. Sessions a server
 * context negotiates are never resumed (see {@link ServerSessions}); client contexts, from
 * {@link #createClient}, never resume a session (see {@link NonResumingClientContext}).
 */
public final class SpiffeSslContexts {

    private SpiffeSslContexts() {
    }

    /** A context for serving. For outgoing connections use {@link #createClient}. */
    public static SSLContext create(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            // No key manager, no certificate: never the JDK's default key store (javax.net.ssl.keyStore).
            context.init((keyManager != null) ? new KeyManager[] { keyManager } : new KeyManager[0],
                    new TrustManager[] { trustManager }, null);
            return context;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot create a TLS context", ex);
        }
    }

    public static SSLContext create(X509ContextSource source, PeerAuthorizer authorizer) {
        return create(new SpiffeKeyManager(source), new SpiffeTrustManager(source, authorizer));
    }

    /**
     * A context for outgoing connections through {@code SSLEngine}s (JDK {@code HttpClient}, Netty): every
     * connection is a full handshake, verifying the server and presenting our SVID of that moment, even
     * against servers that issue session tickets. Its socket factories are refused (sockets could resume).
     * @param keyManager our SVID, or {@code null} to present no client certificate (where a JWT-SVID alone
     * speaks for this workload)
     */
    public static SSLContext createClient(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager) {
        return new NonResumingClientContext(create(keyManager, trustManager));
    }
}
