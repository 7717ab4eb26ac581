package io.github.spiffeboot.authz;

/**
 * Which SPIFFE credential proved a caller's ID: recorded with each decision, so that an audit line says
 * whether the TLS peer itself or a JWT-SVID (forwarded by a trusted proxy, say) spoke for the caller.
 */
public enum Credential {

    /** The X.509-SVID the peer presented in the TLS handshake. */
    X509_SVID("x509-svid"),

    /** A JWT-SVID in {@code Authorization: Bearer}. */
    JWT_SVID("jwt-svid");

    private final String label;

    Credential(String label) {
        this.label = label;
    }

    /** The name in audit lines: {@code x509-svid} or {@code jwt-svid}. */
    public String label() {
        return label;
    }
}
