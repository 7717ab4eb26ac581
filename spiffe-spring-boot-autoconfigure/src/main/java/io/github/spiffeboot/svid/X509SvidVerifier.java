package io.github.spiffeboot.svid;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;

/**
 * Decides whether a presented certificate chain proves a SPIFFE ID: the leaf must meet the
 * {@link X509SvidProfile}, and the chain must verify (RFC 5280, no revocation) against the bundle of
 * the leaf ID's own trust domain only. Federated bundles never vouch for another domain's IDs.
 * <p>
 * Fails closed: anything unexpected, including a runtime exception from a hostile certificate, becomes
 * an {@link SvidVerificationException}.
 */
public final class X509SvidVerifier {

    private final Clock clock;

    public X509SvidVerifier() {
        this(Clock.systemUTC());
    }

    public X509SvidVerifier(Clock clock) {
        this.clock = clock;
    }

    /**
     * Verifies {@code chain} (leaf first) against {@code bundles} and returns the proven SPIFFE ID.
     * @throws SvidVerificationException if the chain proves nothing
     */
    public SpiffeId verify(X509Certificate[] chain, X509BundleSet bundles) throws SvidVerificationException {
        if (chain == null || chain.length == 0 || chain[0] == null) {
            throw new SvidVerificationException(Reason.NO_CERTIFICATE, "empty certificate chain");
        }
        try {
            SpiffeId id = X509SvidProfile.checkLeaf(chain[0]);
            List<X509Certificate> authorities = bundles.forTrustDomain(id.trustDomain())
                .orElseThrow(() -> new SvidVerificationException(Reason.UNTRUSTED_CHAIN,
                        "no X.509 bundle for trust domain \"" + id.trustDomain() + "\" of " + id));
            validatePath(chain, authorities);
            return id;
        }
        catch (SvidVerificationException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            throw new SvidVerificationException(Reason.INVALID_SVID, "malformed certificate: " + ex, ex);
        }
    }

    private void validatePath(X509Certificate[] chain, List<X509Certificate> authorities)
            throws SvidVerificationException {
        if (authorities.isEmpty()) {
            throw new SvidVerificationException(Reason.UNTRUSTED_CHAIN, "the trust domain's bundle is empty");
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate authority : authorities) {
            anchors.add(new TrustAnchor(authority, null));
        }
        try {
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(withoutAnchors(chain, authorities));
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(path, parameters);
        }
        catch (CertPathValidatorException ex) {
            throw new SvidVerificationException(Reason.UNTRUSTED_CHAIN,
                    "certificate chain does not verify against the trust domain's bundle: " + ex.getMessage(), ex);
        }
        catch (GeneralSecurityException ex) {
            throw new SvidVerificationException(Reason.UNTRUSTED_CHAIN, "cannot validate certificate chain: " + ex, ex);
        }
    }

    /** A peer may send its root too; PKIX wants the path to stop below the trust anchor. */
    private static List<X509Certificate> withoutAnchors(X509Certificate[] chain, List<X509Certificate> authorities) {
        List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
        while (path.size() > 1 && authorities.contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        return path;
    }
}
