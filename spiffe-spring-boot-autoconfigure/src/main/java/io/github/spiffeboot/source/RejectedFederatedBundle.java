package io.github.spiffeboot.source;

import java.util.Objects;

/**
 * A federated bundle the Workload API sent that the source dropped. Federated bundles come from partners
 * outside this workload's control, so an unusable one is dropped alone: the rest of the response (this
 * workload's own SVID and bundle, the other federated bundles) still applies, and peers of the dropped
 * trust domain are rejected until a usable bundle arrives.
 *
 * @param trustDomain the trust domain as the agent named it (normally {@code spiffe://<name>}), with
 * control characters escaped and cut to a sane length, since it may be anything
 * @param reason why it was dropped
 * @param detail what exactly was wrong, for the log
 */
public record RejectedFederatedBundle(String trustDomain, Reason reason, String detail) {

    /** Why a federated bundle was dropped. */
    public enum Reason {
        /** The key is neither a trust domain name nor a SPIFFE ID. */
        INVALID_TRUST_DOMAIN,
        /**
         * It names this workload's own trust domain, whose authorities come only with its SVID: a federated
         * entry must never add to or replace them.
         */
        OWN_TRUST_DOMAIN,
        /** Several keys name the same trust domain; none of them is taken, since none is more authoritative. */
        DUPLICATE_TRUST_DOMAIN,
        /** The bundle holds no certificate. */
        EMPTY,
        /** The bundle is not a sequence of DER certificates. */
        MALFORMED
    }

    public RejectedFederatedBundle {
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
