package io.github.spiffeboot.bundle;

import javax.net.ssl.X509ExtendedTrustManager;

import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.X509SvidVerifier;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.SpiffeTrustManager;

/** The trust manager of the {@code spiffe} bundle for a {@link PeerVerification}. */
public final class BundleTrustManagers {

    private BundleTrustManagers() {
    }

    /**
     * @param expectedPeer the SPIFFE IDs a peer that presents one must have
     * @param verification whether a peer without a SPIFFE ID is refused (the default) or verified by PKIX
     * @param rejectionListener told of every peer turned away, by either verification
     */
    public static X509ExtendedTrustManager create(X509ContextSource source, PeerAuthorizer expectedPeer,
            PeerVerification verification, PeerRejectionListener rejectionListener) {
        SpiffeTrustManager spiffe = new SpiffeTrustManager(source, new X509SvidVerifier(), expectedPeer,
                rejectionListener);
        return switch (verification) {
            case SPIFFE_ID -> spiffe;
            case SPIFFE_ID_OR_PKIX -> new PkixFallbackTrustManager(spiffe, source, rejectionListener);
        };
    }
}
