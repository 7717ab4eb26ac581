package io.github.spiffeboot.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * The JWT side of a test trust domain: signing keys (EC P-256, ES256, as SPIRE's default) and the JWT
 * bundle that publishes them. {@link #rotate()} adds a key that signs from then on while the old ones
 * stay published, as SPIRE overlaps keys; {@link #retireOldKeys()} drops all but the current one.
 */
public final class TestJwtAuthority {

    private static final KeyUse JWT_SVID_USE = new KeyUse("jwt-svid");

    private final String trustDomain;

    private final List<ECKey> keys = new ArrayList<>();

    TestJwtAuthority(String trustDomain) {
        this.trustDomain = trustDomain;
        keys.add(generate());
    }

    public String trustDomain() {
        return trustDomain;
    }

    /** A new signing key; earlier keys stay in the bundle until {@link #retireOldKeys()}. */
    public synchronized ECKey rotate() {
        ECKey key = generate();
        keys.add(key);
        return key;
    }

    /** Drops every key but the current signing key from the bundle. */
    public synchronized void retireOldKeys() {
        ECKey current = keys.get(keys.size() - 1);
        keys.clear();
        keys.add(current);
    }

    /** The current signing key, private part included (for tests that forge tokens with it). */
    public synchronized ECKey signingKey() {
        return keys.get(keys.size() - 1);
    }

    /** The JWT bundle: every published key, public parts only, as a JWK set in JSON. */
    public synchronized String bundleJson() {
        List<JWK> published = new ArrayList<>();
        keys.forEach(key -> published.add(key.toPublicJWK()));
        return new JWKSet(published).toString(true);
    }

    /** A JWT-SVID for {@code spiffeId} and these audiences, valid for {@code ttl}, signed by the current key. */
    public String issue(String spiffeId, Duration ttl, String... audiences) {
        Instant now = Instant.now();
        return sign(new JWTClaimsSet.Builder().subject(spiffeId)
            .audience(List.of(audiences))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString())
            .build());
    }

    /** Signs any claims with the current key, ES256, {@code typ: JWT} (for tokens that break the rules on purpose). */
    public String sign(JWTClaimsSet claims) {
        ECKey key = signingKey();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException("cannot sign a test JWT-SVID", ex);
        }
    }

    private static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).keyUse(JWT_SVID_USE).generate();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException("cannot generate a test JWT key", ex);
        }
    }
}
