package io.github.spiffeboot.svid;

import java.security.cert.CertificateException;

/**
 * A certificate chain that does not prove a SPIFFE identity. A {@link CertificateException}, so that
 * JSSE turns it into a failed handshake; the {@link Reason} lets metrics and logs tell failures apart.
 */
public class SvidVerificationException extends CertificateException {

    /** Why a chain was rejected, coarse enough to be a bounded metric tag. */
    public enum Reason {
        /** The peer sent no certificate at all. */
        NO_CERTIFICATE,
        /** The leaf breaks the X509-SVID profile (URI SANs, SPIFFE ID syntax, CA flag, key usage). */
        INVALID_SVID,
        /** No bundle for the leaf's trust domain, or the chain does not verify against it (incl. expiry). */
        UNTRUSTED_CHAIN,
        /** The chain is a valid SVID but its SPIFFE ID is not one the caller accepts. */
        ID_NOT_ACCEPTED
    }

    private final Reason reason;

    public SvidVerificationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SvidVerificationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason getReason() {
        return reason;
    }
}
