package io.github.spiffeboot.bundle;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;
import io.github.spiffeboot.svid.X509BundleSet;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.SpiffeTrustManager;

/**
 * {@link PeerVerification#SPIFFE_ID_OR_PKIX}: a peer whose leaf names a SPIFFE ID (any {@code spiffe:} URI
 * SAN, valid or not) is verified by the SPIFFE trust manager, so it can never escape SPIFFE verification by
 * failing it; a peer whose leaf has no SPIFFE ID is verified by the JDK's PKIX trust manager against the
 * bundle of this workload's own trust domain only (never the federated ones: a partner's CA does not vouch
 * for names in our domain). The JDK trust manager also checks the host name when the connection asks for
 * it (its endpoint identification algorithm, which Kafka and Lettuce set by default).
 * <p>
 * The PKIX trust manager is rebuilt only when the own bundle changes, not per handshake.
 */
final class PkixFallbackTrustManager extends X509ExtendedTrustManager {

    private static final int URI_SAN = 6;

    private final SpiffeTrustManager spiffe;

    private final X509ContextSource source;

    private final PeerRejectionListener rejectionListener;

    private volatile Pkix pkix;

    PkixFallbackTrustManager(SpiffeTrustManager spiffe, X509ContextSource source,
            PeerRejectionListener rejectionListener) {
        this.spiffe = spiffe;
        this.source = source;
        this.rejectionListener = rejectionListener;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, trustManager -> trustManager.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain, trustManager -> trustManager.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, trustManager -> trustManager.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, trustManager -> trustManager.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain, trustManager -> trustManager.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, trustManager -> trustManager.checkServerTrusted(chain, authType, engine));
    }

    /** The one decision of this class: the SPIFFE trust manager for a leaf with a SPIFFE ID, else PKIX. */
    private void verify(X509Certificate[] chain, Check check) throws CertificateException {
        if (hasSpiffeId(chain)) {
            check.run(spiffe);
        }
        else {
            pkix(check);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return spiffe.getAcceptedIssuers();
    }

    /** Whether the leaf carries any {@code spiffe:} URI SAN; an unreadable SAN extension counts as one. */
    static boolean hasSpiffeId(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0 || chain[0] == null) {
            throw new SvidVerificationException(Reason.NO_CERTIFICATE, "the peer presented no certificate");
        }
        Collection<List<?>> names;
        try {
            names = chain[0].getSubjectAlternativeNames();
        }
        catch (CertificateParsingException ex) {
            return true; // let the strict SPIFFE verifier refuse it
        }
        if (names == null) {
            return false;
        }
        for (List<?> name : names) {
            if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0)) && name.get(1) instanceof String uri
                    && uri.toLowerCase(Locale.ROOT).startsWith("spiffe:")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs a PKIX check; a failure is reported to the rejection listener and thrown with a message that
     * says which verification refused the peer.
     */
    private void pkix(Check check) throws CertificateException {
        try {
            check.run(pkix());
        }
        catch (CertificateException ex) {
            SvidVerificationException rejection = new SvidVerificationException(Reason.UNTRUSTED_CHAIN,
                    "a peer without a SPIFFE ID failed PKIX verification against this workload's own trust "
                            + "bundle: " + ex.getMessage(),
                    ex);
            rejectionListener.rejected(rejection);
            throw rejection;
        }
    }

    /** One of the six checks, on whichever trust manager {@link #verify} chose. */
    @FunctionalInterface
    private interface Check {

        void run(X509ExtendedTrustManager trustManager) throws CertificateException;
    }

    private X509ExtendedTrustManager pkix() throws CertificateException {
        X509BundleSet bundles = source.current().bundles();
        List<X509Certificate> authorities = bundles
            .forTrustDomain(source.current().svid().id().trustDomain())
            .orElse(List.of());
        Pkix current = this.pkix;
        if (current == null || (current.authorities() != authorities && !current.authorities().equals(authorities))) {
            current = new Pkix(authorities, build(authorities));
            this.pkix = current;
        }
        return current.trustManager();
    }

    private static X509ExtendedTrustManager build(List<X509Certificate> authorities) throws CertificateException {
        if (authorities.isEmpty()) {
            throw new SvidVerificationException(Reason.UNTRUSTED_CHAIN,
                    "no bundle for this workload's own trust domain to verify a peer without a SPIFFE ID");
        }
        try {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                trustStore.setCertificateEntry("authority-" + i, authorities.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(trustStore);
            for (TrustManager trustManager : factory.getTrustManagers()) {
                if (trustManager instanceof X509ExtendedTrustManager extended) {
                    return extended;
                }
            }
            throw new CertificateException("the JDK offers no PKIX X509ExtendedTrustManager");
        }
        catch (GeneralSecurityException | java.io.IOException ex) {
            throw new CertificateException("cannot build a PKIX trust manager from the own trust bundle", ex);
        }
    }

    private record Pkix(List<X509Certificate> authorities, X509ExtendedTrustManager trustManager) {
    }
}
