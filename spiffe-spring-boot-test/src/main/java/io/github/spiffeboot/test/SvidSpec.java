package io.github.spiffeboot.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link TestCertificateAuthority} should put in a leaf certificate. The defaults make a
 * conformant X.509-SVID; each setter breaks or changes one thing, for negative tests.
 */
public final class SvidSpec {

    final List<String> uris = new ArrayList<>();

    final List<String> dnsNames = new ArrayList<>();

    boolean ca;

    boolean digitalSignature = true;

    boolean keyCertSign;

    boolean crlSign;

    boolean keyUsagePresent = true;

    List<String> extendedKeyUsages = List.of("serverAuth", "clientAuth");

    Instant notBefore;

    Instant notAfter;

    Duration ttl = Duration.ofHours(1);

    String keyAlgorithm = "EC";

    private SvidSpec() {
    }

    /** A conformant SVID for this SPIFFE ID. */
    public static SvidSpec forId(String spiffeId) {
        SvidSpec spec = new SvidSpec();
        spec.uris.add(spiffeId);
        return spec;
    }

    /** A leaf with no URI SAN at all. */
    public static SvidSpec withoutUri() {
        return new SvidSpec();
    }

    /** Adds another URI SAN (a second one makes the SVID invalid). */
    public SvidSpec addUri(String uri) {
        uris.add(uri);
        return this;
    }

    /**
     * Adds DNS name SANs, as on a broker's or database's certificate (with {@link #withoutUri()}: a server
     * certificate with no SPIFFE ID).
     */
    public SvidSpec dnsNames(String... names) {
        dnsNames.addAll(List.of(names));
        return this;
    }

    /** Sets the basicConstraints CA flag on the leaf (invalid for an SVID). */
    public SvidSpec ca(boolean ca) {
        this.ca = ca;
        return this;
    }

    public SvidSpec digitalSignature(boolean value) {
        this.digitalSignature = value;
        return this;
    }

    public SvidSpec keyCertSign(boolean value) {
        this.keyCertSign = value;
        return this;
    }

    public SvidSpec crlSign(boolean value) {
        this.crlSign = value;
        return this;
    }

    /** Leaves out the key usage extension entirely. */
    public SvidSpec withoutKeyUsage() {
        this.keyUsagePresent = false;
        return this;
    }

    /** Extended key usages by name ({@code serverAuth}, {@code clientAuth}, {@code codeSigning}); none leaves EKU out. */
    public SvidSpec extendedKeyUsages(String... names) {
        this.extendedKeyUsages = List.of(names);
        return this;
    }

    public SvidSpec ttl(Duration ttl) {
        this.ttl = ttl;
        return this;
    }

    /** Explicit validity, for example one that ended in the past. */
    public SvidSpec validity(Instant notBefore, Instant notAfter) {
        this.notBefore = notBefore;
        this.notAfter = notAfter;
        return this;
    }

    /** {@code EC} (P-256, the default) or {@code RSA} (2048). */
    public SvidSpec keyAlgorithm(String algorithm) {
        this.keyAlgorithm = algorithm;
        return this;
    }
}
