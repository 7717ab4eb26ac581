package io.github.spiffeboot.jwt;

import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.spiffeboot.id.SpiffeId;

/**
 * A JWT-SVID this workload was handed by the Workload API, to present to others. {@link #toString()} never
 * shows the token.
 *
 * @param token the compact serialization, as sent in {@code Authorization: Bearer}
 * @param id the SPIFFE ID it asserts
 * @param audiences its audience
 * @param issuedAt when it was issued ({@code iat}), or when it was received if the token has none
 * @param expiresAt when it expires ({@code exp})
 */
public record JwtSvid(String token, SpiffeId id, List<String> audiences, Instant issuedAt, Instant expiresAt) {

    public JwtSvid {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(id, "id");
        audiences = List.copyOf(audiences);
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * Reads the claims of a token the agent issued to this workload. The agent is trusted for what it
     * hands out, so the signature is not checked here; the token must still be a signed JWT whose
     * {@code sub} is the SPIFFE ID the agent named, with an {@code exp}.
     * @throws IllegalArgumentException if it is not
     */
    static JwtSvid fromWorkloadApi(String token, String spiffeId, Instant receivedAt) {
        SpiffeId id = SpiffeId.parse(spiffeId);
        JWTClaimsSet claims;
        try {
            claims = SignedJWT.parse(token).getJWTClaimsSet();
        }
        catch (ParseException ex) {
            throw new IllegalArgumentException("the JWT-SVID is no signed JWT: " + ex.getMessage(), ex);
        }
        if (!spiffeId.equals(claims.getSubject())) {
            throw new IllegalArgumentException("the JWT-SVID's sub is not " + spiffeId);
        }
        Date expiry = claims.getExpirationTime();
        if (expiry == null) {
            throw new IllegalArgumentException("the JWT-SVID has no exp");
        }
        Date issued = claims.getIssueTime();
        List<String> audiences = (claims.getAudience() != null) ? claims.getAudience() : List.of();
        return new JwtSvid(token, id, audiences, (issued != null) ? issued.toInstant() : receivedAt,
                expiry.toInstant());
    }

    /**
     * The ID of the key that signed it ({@code kid}), or {@code null} if it names none or cannot be read
     * (it was read once when the token arrived, so the latter does not happen for tokens from
     * {@link #fromWorkloadApi}).
     */
    public String keyId() {
        try {
            return SignedJWT.parse(token).getHeader().getKeyID();
        }
        catch (ParseException ex) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "JWT-SVID " + id + " for " + audiences + ", expires " + expiresAt;
    }
}
