package io.github.spiffeboot.jwt;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.github.spiffeboot.id.TrustDomain;

/**
 * The JWT bundles of every trust domain this workload trusts (its own and federated ones), as one
 * immutable version: a new set arrives with each bundle change, and anything derived from a set can be
 * kept for as long as the set is current (compare by identity).
 *
 * @param bundles the bundles by trust domain
 * @param receivedAt when the Workload API sent this version
 */
public record JwtBundleSet(Map<TrustDomain, JwtBundle> bundles, Instant receivedAt) {

    public JwtBundleSet {
        bundles = Map.copyOf(bundles);
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /** The bundle of that trust domain, or {@code null} if it is not trusted. */
    public JwtBundle forTrustDomain(TrustDomain trustDomain) {
        return bundles.get(trustDomain);
    }

    public Set<TrustDomain> trustDomains() {
        return bundles.keySet();
    }

    /** Equal when the same keys are trusted for the same trust domains, whenever they arrived. */
    public boolean sameKeysAs(JwtBundleSet other) {
        return other != null && bundles.equals(other.bundles);
    }
}
