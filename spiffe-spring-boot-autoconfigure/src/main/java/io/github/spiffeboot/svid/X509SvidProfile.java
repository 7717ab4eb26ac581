package io.github.spiffeboot.svid;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.github.spiffeboot.id.InvalidSpiffeIdException;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;

/**
 * The X509-SVID leaf rules of the SPIFFE standard (X509-SVID.md sections 3 to 5), applied to our own
 * SVID when the Workload API delivers it and to every peer leaf. Neither go-spiffe nor java-spiffe
 * applies all of them to peers, which is why they live here.
 */
public final class X509SvidProfile {

    private static final int URI_SAN = 6;

    private static final int DIGITAL_SIGNATURE = 0;

    private static final int KEY_CERT_SIGN = 5;

    private static final int CRL_SIGN = 6;

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private X509SvidProfile() {
    }

    /**
     * Checks that {@code leaf} is an X509-SVID leaf and returns its SPIFFE ID.
     * @throws SvidVerificationException with reason {@link Reason#INVALID_SVID} naming the broken rule
     */
    public static SpiffeId checkLeaf(X509Certificate leaf) throws SvidVerificationException {
        SpiffeId id = spiffeIdOf(leaf);
        if (id.isRoot()) {
            throw invalid("leaf SPIFFE ID must have a non-root path: " + id);
        }
        if (leaf.getBasicConstraints() != -1) {
            throw invalid("leaf certificate must not have the CA flag set");
        }
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage == null) {
            throw invalid("leaf certificate must have a key usage extension");
        }
        if (!bit(keyUsage, DIGITAL_SIGNATURE)) {
            throw invalid("leaf certificate must have 'digitalSignature' as key usage");
        }
        if (bit(keyUsage, KEY_CERT_SIGN)) {
            throw invalid("leaf certificate must not have 'keyCertSign' as key usage");
        }
        if (bit(keyUsage, CRL_SIGN)) {
            throw invalid("leaf certificate must not have 'cRLSign' as key usage");
        }
        checkExtendedKeyUsage(leaf);
        return id;
    }

    /**
     * The SPIFFE ID in the certificate's only URI SAN.
     * @throws SvidVerificationException if there is not exactly one URI SAN or it is no valid SPIFFE ID
     */
    public static SpiffeId spiffeIdOf(X509Certificate certificate) throws SvidVerificationException {
        List<String> uris = uriSans(certificate);
        if (uris.isEmpty()) {
            throw invalid("certificate contains no URI SAN");
        }
        if (uris.size() > 1) {
            throw invalid("certificate contains more than one URI SAN");
        }
        try {
            return SpiffeId.parse(uris.get(0));
        }
        catch (InvalidSpiffeIdException ex) {
            throw invalid("URI SAN is not a valid SPIFFE ID: " + ex.getReason());
        }
    }

    private static List<String> uriSans(X509Certificate certificate) throws SvidVerificationException {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        }
        catch (CertificateParsingException ex) {
            throw new SvidVerificationException(Reason.INVALID_SVID, "malformed subject alternative names", ex);
        }
        List<String> uris = new ArrayList<>();
        if (names != null) {
            for (List<?> name : names) {
                if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))) {
                    uris.add(String.valueOf(name.get(1)));
                }
            }
        }
        return uris;
    }

    /** An SVID with EKU must allow both TLS roles (X509-SVID.md 4.4), since workloads are both. */
    private static void checkExtendedKeyUsage(X509Certificate leaf) throws SvidVerificationException {
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        }
        catch (CertificateParsingException ex) {
            throw new SvidVerificationException(Reason.INVALID_SVID, "malformed extended key usage", ex);
        }
        if (eku != null && !(eku.contains(SERVER_AUTH) && eku.contains(CLIENT_AUTH))) {
            throw invalid("leaf extended key usage must include both serverAuth and clientAuth");
        }
    }

    private static boolean bit(boolean[] bits, int index) {
        return bits.length > index && bits[index];
    }

    private static SvidVerificationException invalid(String message) {
        return new SvidVerificationException(Reason.INVALID_SVID, message);
    }
}
