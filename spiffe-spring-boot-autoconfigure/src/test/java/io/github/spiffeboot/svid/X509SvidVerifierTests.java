package io.github.spiffeboot.svid;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The X509-SVID rules (../conformance x509svid_rules.md, go-spiffe TestVerify cases) on certificates. */
class X509SvidVerifierTests {

    private static final String WORKLOAD = "spiffe://domain1.test/workload";

    private final TestCertificateAuthority ca1 = TestCertificateAuthority.create("domain1.test");

    private final TestCertificateAuthority ca2 = TestCertificateAuthority.create("domain2.test");

    private final X509BundleSet bundle1 = bundles(Map.of(td("domain1.test"), ca1.bundle()));

    private final X509SvidVerifier verifier = new X509SvidVerifier();

    @Test
    void acceptsAConformantSvidAndReturnsItsId() throws Exception {
        SpiffeId id = verifier.verify(chain(ca1.issue(WORKLOAD, Duration.ofMinutes(5))), bundle1);
        assertThat(id).isEqualTo(SpiffeId.parse(WORKLOAD));
    }

    @Test
    void acceptsRsaSvids() throws Exception {
        SpiffeId id = verifier.verify(chain(ca1.issue(SvidSpec.forId(WORKLOAD).keyAlgorithm("RSA"))), bundle1);
        assertThat(id.toString()).isEqualTo(WORKLOAD);
    }

    @Test
    void rejectsAnEmptyChain() {
        assertRejected(new X509Certificate[0], bundle1, Reason.NO_CERTIFICATE, "empty certificate chain");
        assertRejected(null, bundle1, Reason.NO_CERTIFICATE, "empty certificate chain");
    }

    @Test
    void rejectsWhenNoBundleExistsForTheLeafsTrustDomain() {
        assertRejected(chain(ca1.issue(WORKLOAD, Duration.ofMinutes(5))),
                bundles(Map.of(td("domain2.test"), ca2.bundle())), Reason.UNTRUSTED_CHAIN,
                "no X.509 bundle for trust domain \"domain1.test\"");
    }

    @Test
    void rejectsAChainSignedByAnotherAuthority() {
        X509BundleSet bad = bundles(Map.of(td("domain1.test"), ca2.bundle()));
        assertRejected(chain(ca1.issue(WORKLOAD, Duration.ofMinutes(5))), bad, Reason.UNTRUSTED_CHAIN,
                "does not verify");
    }

    @Test
    void rejectsAFederatedAuthorityMintingAnotherDomainsId() {
        // Both bundles trusted, but domain2's CA signs an ID of domain1: only domain1's bundle may vouch for it.
        X509BundleSet both = bundles(Map.of(td("domain1.test"), ca1.bundle(), td("domain2.test"), ca2.bundle()));
        assertRejected(chain(ca2.issue(WORKLOAD, Duration.ofMinutes(5))), both, Reason.UNTRUSTED_CHAIN,
                "does not verify");
        assertThat(verifyQuietly(chain(ca2.issue("spiffe://domain2.test/w", Duration.ofMinutes(5))), both))
            .isEqualTo(SpiffeId.parse("spiffe://domain2.test/w"));
    }

    @Test
    void rejectsANonSpiffeUri() {
        assertRejected(chain(ca1.issue(SvidSpec.forId("sparfe://domain1.test/workload"))), bundle1,
                Reason.INVALID_SVID, "scheme is missing or invalid");
        assertRejected(chain(ca1.issue(SvidSpec.forId("https://domain1.test/workload"))), bundle1,
                Reason.INVALID_SVID, "scheme is missing or invalid");
    }

    @Test
    void rejectsALeafWithoutUriSan() {
        assertRejected(chain(ca1.issue(SvidSpec.withoutUri())), bundle1, Reason.INVALID_SVID,
                "certificate contains no URI SAN");
    }

    @Test
    void rejectsALeafWithTwoUriSans() {
        assertRejected(chain(ca1.issue(SvidSpec.forId(WORKLOAD).addUri("spiffe://domain1.test/other"))), bundle1,
                Reason.INVALID_SVID, "more than one URI SAN");
    }

    @Test
    void rejectsALeafWithARootId() {
        assertRejected(chain(ca1.issue(SvidSpec.forId("spiffe://domain1.test"))), bundle1, Reason.INVALID_SVID,
                "non-root path");
    }

    @Test
    void rejectsACaLeaf() {
        assertRejected(chain(ca1.issue(SvidSpec.forId(WORKLOAD).ca(true))), bundle1, Reason.INVALID_SVID,
                "CA flag");
    }

    @Test
    void rejectsKeyCertSignAndCrlSignOnALeaf() {
        assertRejected(chain(ca1.issue(SvidSpec.forId(WORKLOAD).keyCertSign(true))), bundle1, Reason.INVALID_SVID,
                "keyCertSign");
        assertRejected(chain(ca1.issue(SvidSpec.forId(WORKLOAD).crlSign(true))), bundle1, Reason.INVALID_SVID,
                "cRLSign");
    }

    @Test
    void requiresDigitalSignature() {
        assertRejected(chain(ca1.issue(SvidSpec.forId(WORKLOAD).digitalSignature(false).keyAlgorithm("RSA"))),
                bundle1, Reason.INVALID_SVID, "digitalSignature");
        assertRejected(chain(ca1.issue(SvidSpec.forId(WORKLOAD).withoutKeyUsage())), bundle1, Reason.INVALID_SVID,
                "key usage extension");
    }

    @Test
    void requiresBothTlsRolesWhenExtendedKeyUsageIsPresent() throws Exception {
        assertRejected(chain(ca1.issue(SvidSpec.forId(WORKLOAD).extendedKeyUsages("serverAuth"))), bundle1,
                Reason.INVALID_SVID, "serverAuth and clientAuth");
        assertThat(verifier.verify(chain(ca1.issue(SvidSpec.forId(WORKLOAD).extendedKeyUsages())), bundle1))
            .hasToString(WORKLOAD);
    }

    @Test
    void rejectsAnExpiredSvid() {
        Instant now = Instant.now();
        TestSvid expired = ca1.issue(SvidSpec.forId(WORKLOAD).validity(now.minusSeconds(3600), now.minusSeconds(1)));
        assertRejected(chain(expired), bundle1, Reason.UNTRUSTED_CHAIN, "does not verify");
    }

    @Test
    void acceptsAChainThatAlsoCarriesTheRoot() throws Exception {
        TestSvid svid = ca1.issue(WORKLOAD, Duration.ofMinutes(5));
        X509Certificate[] withRoot = { svid.leaf(), ca1.certificate() };
        assertThat(verifier.verify(withRoot, bundle1)).hasToString(WORKLOAD);
    }

    private SpiffeId verifyQuietly(X509Certificate[] chain, X509BundleSet bundles) {
        try {
            return verifier.verify(chain, bundles);
        }
        catch (SvidVerificationException ex) {
            throw new AssertionError(ex);
        }
    }

    private void assertRejected(X509Certificate[] chain, X509BundleSet bundles, Reason reason, String message) {
        assertThatThrownBy(() -> verifier.verify(chain, bundles)).isInstanceOfSatisfying(
                SvidVerificationException.class, ex -> assertThat(ex.getReason()).isEqualTo(reason))
            .hasMessageContaining(message);
    }

    private static X509Certificate[] chain(TestSvid svid) {
        return svid.chainArray();
    }

    private static TrustDomain td(String name) {
        return new TrustDomain(name);
    }

    private static X509BundleSet bundles(Map<TrustDomain, List<X509Certificate>> map) {
        return new X509BundleSet(map);
    }
}
