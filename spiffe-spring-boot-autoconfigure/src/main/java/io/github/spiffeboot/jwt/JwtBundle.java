package io.github.spiffeboot.jwt;

import java.security.PublicKey;
import java.util.Map;

import io.github.spiffeboot.id.TrustDomain;

/**
 * The JWT authorities of one trust domain: public keys by key ID ({@code kid}), converted once when the
 * bundle arrives so that verifying a token costs a map lookup and a signature check.
 *
 * @param trustDomain the trust domain
 * @param keys the usable keys by key ID
 */
public record JwtBundle(TrustDomain trustDomain, Map<String, PublicKey> keys) {

    public JwtBundle {
        keys = Map.copyOf(keys);
    }

    /** The key with this ID, or {@code null}. */
    public PublicKey key(String keyId) {
        return keys.get(keyId);
    }
}
