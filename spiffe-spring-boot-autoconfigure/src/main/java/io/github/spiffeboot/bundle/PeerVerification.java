package io.github.spiffeboot.bundle;

/**
 * How the {@code spiffe} SSL bundle verifies the peer of a connection (normally a server the application
 * connects to).
 */
public enum PeerVerification {

    /**
     * The peer must present an X509-SVID that verifies against the bundle of its own trust domain, with an
     * ID the bundle expects. A peer without a SPIFFE ID is refused. The default.
     */
    SPIFFE_ID,

    /**
     * As {@link #SPIFFE_ID} for a peer that presents a SPIFFE ID; a peer whose certificate has no SPIFFE ID
     * at all (a broker or database with a DNS-named certificate) is verified with plain PKIX against the
     * bundle of this workload's own trust domain, plus the host name check its client asks for (Kafka and
     * Lettuce do by default). An explicit opt-in: such a peer is trusted for being issued by the trust
     * domain's CA, not for an ID.
     */
    SPIFFE_ID_OR_PKIX
}
