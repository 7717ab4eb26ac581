package io.github.spiffeboot.svid;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.id.SpiffeId;

/**
 * Turns the DER bytes the Workload API sends (concatenated certificates, a PKCS#8 key) into checked
 * values. What it rejects never replaces a good SVID.
 */
public final class X509SvidParser {

    private X509SvidParser() {
    }

    /**
     * Parses and checks an SVID: the leaf meets the X509-SVID profile, claims {@code expectedId}, and
     * matches the private key.
     * @throws GeneralSecurityException naming what is wrong
     */
    public static X509Svid parse(String expectedId, byte[] chainDer, byte[] keyDer) throws GeneralSecurityException {
        List<X509Certificate> chain = parseCertificates(chainDer);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("the X.509-SVID has no certificate");
        }
        SpiffeId id = X509SvidProfile.checkLeaf(chain.get(0));
        if (expectedId != null && !expectedId.isEmpty() && !id.toString().equals(expectedId)) {
            throw new GeneralSecurityException(
                    "the X.509-SVID's certificate is for " + id + " but the Workload API said " + expectedId);
        }
        for (X509Certificate signer : chain.subList(1, chain.size())) {
            if (signer.getBasicConstraints() == -1) {
                throw new GeneralSecurityException("signing certificate must have the CA flag set");
            }
        }
        PrivateKey key = parsePrivateKey(keyDer, chain.get(0).getPublicKey());
        return new X509Svid(id, chain, key);
    }

    /** Parses zero or more concatenated DER certificates. */
    public static List<X509Certificate> parseCertificates(byte[] der) throws GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        if (der == null || der.length == 0) {
            return certificates;
        }
        try {
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(der))) {
                certificates.add((X509Certificate) certificate);
            }
        }
        catch (RuntimeException ex) {
            throw new GeneralSecurityException("malformed DER certificates", ex);
        }
        return certificates;
    }

    private static PrivateKey parsePrivateKey(byte[] der, PublicKey publicKey) throws GeneralSecurityException {
        if (der == null || der.length == 0) {
            throw new GeneralSecurityException("the X.509-SVID has no private key");
        }
        PrivateKey key = KeyFactory.getInstance(publicKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
        if (!matches(key, publicKey)) {
            throw new GeneralSecurityException("leaf certificate does not match private key");
        }
        return key;
    }

    private static boolean matches(PrivateKey key, PublicKey publicKey) throws GeneralSecurityException {
        String algorithm = switch (publicKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + publicKey.getAlgorithm());
        };
        byte[] probe = "spiffe-key-match".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
