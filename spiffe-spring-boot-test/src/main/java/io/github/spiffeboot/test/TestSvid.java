package io.github.spiffeboot.test;

import java.net.URI;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A certificate chain (leaf first) and the leaf's private key, as a {@link TestCertificateAuthority}
 * issued them.
 *
 * @param chain the leaf and any intermediates
 * @param privateKey the leaf's key
 */
public record TestSvid(List<X509Certificate> chain, PrivateKey privateKey) {

    public TestSvid {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The leaf's URI SANs, whatever they are. */
    public List<String> uris() {
        List<String> uris = new ArrayList<>();
        try {
            Collection<List<?>> names = leaf().getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (Integer.valueOf(6).equals(name.get(0))) {
                        uris.add((String) name.get(1));
                    }
                }
            }
        }
        catch (CertificateParsingException ex) {
            throw new IllegalStateException(ex);
        }
        return uris;
    }

    /** The SPIFFE ID, when the leaf has exactly one URI SAN. */
    public URI spiffeId() {
        List<String> uris = uris();
        if (uris.size() != 1) {
            throw new IllegalStateException("the leaf has " + uris.size() + " URI SANs");
        }
        return URI.create(uris.get(0));
    }

    /** Writes the chain and (unless {@code keyFile} is null) the PKCS#8 key as PEM files, for tools that read files. */
    public void writePem(java.nio.file.Path certificateFile, java.nio.file.Path keyFile) throws java.io.IOException {
        StringBuilder certificates = new StringBuilder();
        for (X509Certificate certificate : chain) {
            try {
                certificates.append(pem("CERTIFICATE", certificate.getEncoded()));
            }
            catch (java.security.cert.CertificateEncodingException ex) {
                throw new java.io.IOException(ex);
            }
        }
        java.nio.file.Files.writeString(certificateFile, certificates);
        if (keyFile != null) {
            java.nio.file.Files.writeString(keyFile, pem("PRIVATE KEY", privateKey.getEncoded()));
        }
    }

    private static String pem(String type, byte[] der) {
        String base64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }

    public X509Certificate[] chainArray() {
        return chain.toArray(new X509Certificate[0]);
    }
}
