package io.github.spiffeboot.svid;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

import io.github.spiffeboot.id.SpiffeId;

/**
 * This workload's X.509-SVID: its SPIFFE ID, the certificate chain (leaf first) and the private key of
 * the leaf. Instances come from {@link X509SvidParser#parse} and are immutable.
 *
 * @param id the SPIFFE ID in the leaf's URI SAN
 * @param chain the leaf followed by any intermediates, never empty
 * @param privateKey the leaf's private key
 */
public record X509Svid(SpiffeId id, List<X509Certificate> chain, PrivateKey privateKey) {

    public X509Svid {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an X.509-SVID needs at least one certificate");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant expiresAt() {
        return leaf().getNotAfter().toInstant();
    }

    public Instant issuedAt() {
        return leaf().getNotBefore().toInstant();
    }

    /** The chain as the array JSSE wants. */
    public X509Certificate[] chainArray() {
        return chain.toArray(new X509Certificate[0]);
    }

    @Override
    public String toString() {
        // Never print the key.
        return "X509Svid[id=" + id + ", serial=" + leaf().getSerialNumber().toString(16) + ", expires="
                + expiresAt() + "]";
    }
}
