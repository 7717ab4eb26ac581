package io.github.spiffeboot.benchmarks.x509;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import org.springframework.security.web.authentication.preauth.x509.X509PrincipalExtractor;

/**
 * The caller's name is the client certificate's one {@code spiffe://} URI SAN. Spring Security has no SAN
 * extractor of its own; a certificate with none, or with several URI SANs, yields no principal, so the
 * request stays unauthenticated (401) rather than picking one.
 */
final class SpiffeUriPrincipalExtractor implements X509PrincipalExtractor {

    private static final int URI_NAME = 6;

    @Override
    public Object extractPrincipal(X509Certificate certificate) {
        String found = null;
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            for (List<?> name : names) {
                if (Integer.valueOf(URI_NAME).equals(name.get(0))) {
                    if (found != null) {
                        return null;
                    }
                    found = (String) name.get(1);
                }
            }
        }
        catch (CertificateParsingException ex) {
            return null;
        }
        return (found != null && found.startsWith("spiffe://")) ? found : null;
    }
}
