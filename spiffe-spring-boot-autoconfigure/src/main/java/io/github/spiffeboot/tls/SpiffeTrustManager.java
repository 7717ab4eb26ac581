package io.github.spiffeboot.tls;

import java.net.Socket;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.X509SvidVerifier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Verifies peers the SPIFFE way, in both TLS roles: the chain must be an X509-SVID that verifies against
 * the bundle of its own trust domain, as the source holds it at the moment of the handshake, and the
 * {@link PeerAuthorizer} must accept its ID. Hostname checks do not apply: SVIDs prove IDs, not names.
 * As a server it keeps the sessions it verifies from being resumed ({@link ServerSessions}). As a client
 * it marks them not resumable too ({@link NoResumption}), which is not enough: only a context from
 * {@link SpiffeSslContexts#createClient} makes each connection verify the server afresh.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {

    private static final Log logger = LogFactory.getLog(SpiffeTrustManager.class);

    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    private final X509ContextSource source;

    private final X509SvidVerifier verifier;

    private final PeerAuthorizer authorizer;

    private final PeerRejectionListener rejectionListener;

    public SpiffeTrustManager(X509ContextSource source, PeerAuthorizer authorizer) {
        this(source, new X509SvidVerifier(), authorizer, rejection -> {
        });
    }

    /**
     * @param rejectionListener told of every rejected peer, for example to count rejections by reason
     */
    public SpiffeTrustManager(X509ContextSource source, X509SvidVerifier verifier, PeerAuthorizer authorizer,
            PeerRejectionListener rejectionListener) {
        this.source = source;
        this.verifier = verifier;
        this.authorizer = authorizer;
        this.rejectionListener = rejectionListener;
    }

    /**
     * Verifies a peer chain and returns its SPIFFE ID.
     * @throws SvidVerificationException if the peer is not accepted
     */
    public SpiffeId verify(X509Certificate[] chain) throws SvidVerificationException {
        try {
            SpiffeId peer = verifier.verify(chain, source.current().bundles());
            authorizer.authorize(peer);
            return peer;
        }
        catch (SvidVerificationException ex) {
            if (logger.isDebugEnabled()) {
                logger.debug("Rejected TLS peer (" + ex.getReason() + "): " + ex.getMessage());
            }
            rejectionListener.rejected(ex);
            throw ex;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws SvidVerificationException {
        verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws SvidVerificationException {
        ServerSessions.handshaking(socket);
        verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws SvidVerificationException {
        ServerSessions.handshaking(engine);
        verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws SvidVerificationException {
        verifyServer(chain);
    }

    /** As {@link #verify}, with a message that says which server ID was expected and which was presented. */
    private void verifyServer(X509Certificate[] chain) throws SvidVerificationException {
        try {
            verify(chain);
        }
        catch (SvidVerificationException ex) {
            if (ex.getReason() == SvidVerificationException.Reason.ID_NOT_ACCEPTED) {
                throw ex;
            }
            throw new SvidVerificationException(ex.getReason(), "server presented " + presented(chain)
                    + " but expected " + authorizer + ": " + ex.getMessage(), ex);
        }
    }

    private static String presented(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return "no certificate";
        }
        try {
            return "a certificate for " + io.github.spiffeboot.svid.X509SvidProfile.spiffeIdOf(chain[0]);
        }
        catch (SvidVerificationException | RuntimeException ex) {
            return "a certificate without a valid SPIFFE ID (" + ex.getMessage() + ")";
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws SvidVerificationException {
        NoResumption.of(socket);
        verifyServer(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws SvidVerificationException {
        NoResumption.of(engine);
        verifyServer(chain);
    }

    /** Empty: the certificate request names no CA, since peers of several trust domains may connect. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NO_ISSUERS;
    }
}
