package io.github.spiffeboot.svid;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.github.spiffeboot.id.TrustDomain;

/**
 * The X.509 bundles this workload trusts, kept per trust domain: its own and any federated ones. Peers
 * are verified against the bundle of their own trust domain only, so a federated authority can never
 * vouch for an identity of another domain.
 *
 * @param bundles the CA certificates of each trust domain
 */
public record X509BundleSet(Map<TrustDomain, List<X509Certificate>> bundles) {

    public X509BundleSet {
        Map<TrustDomain, List<X509Certificate>> copy = new LinkedHashMap<>();
        bundles.forEach((td, certs) -> copy.put(td, List.copyOf(certs)));
        bundles = Map.copyOf(copy);
    }

    /** The authorities of one trust domain, if this set has a bundle for it. */
    public Optional<List<X509Certificate>> forTrustDomain(TrustDomain trustDomain) {
        return Optional.ofNullable(bundles.get(trustDomain));
    }

    public Set<TrustDomain> trustDomains() {
        return bundles.keySet();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("X509BundleSet[");
        bundles.forEach((td, certs) -> text.append(td).append('=').append(certs.size()).append(" CA(s) "));
        return text.toString().trim() + "]";
    }
}
