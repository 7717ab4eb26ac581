package io.github.spiffeboot.jwt;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The claims rules of a JWT-SVID, as a Spring Security token validator: {@code exp} required and not
 * passed, {@code nbf} (if any) reached, both with a small clock skew; {@code aud} present and naming one
 * of this service's audiences. Each failure's error code is a {@link JwtSvidRejection} name.
 */
final class JwtSvidClaimsValidator implements OAuth2TokenValidator<Jwt> {

    private final Set<String> audiences;

    private final Duration clockSkew;

    private final Clock clock;

    JwtSvidClaimsValidator(Set<String> audiences, Duration clockSkew, Clock clock) {
        this.audiences = Set.copyOf(audiences);
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    @Override
    public OAuth2TokenValidatorResult validate(Jwt jwt) {
        Instant now = clock.instant();
        Instant expiresAt = jwt.getExpiresAt();
        if (expiresAt == null) {
            return failure(JwtSvidRejection.MISSING_EXPIRY, "the token has no exp");
        }
        if (now.minus(clockSkew).isAfter(expiresAt)) {
            return failure(JwtSvidRejection.EXPIRED, "the token expired at " + expiresAt);
        }
        Instant notBefore = jwt.getNotBefore();
        if (notBefore != null && now.plus(clockSkew).isBefore(notBefore)) {
            return failure(JwtSvidRejection.NOT_YET_VALID, "the token is not valid before " + notBefore);
        }
        List<String> tokenAudiences = jwt.getAudience();
        if (tokenAudiences == null || tokenAudiences.isEmpty()) {
            return failure(JwtSvidRejection.MISSING_AUDIENCE, "the token has no aud");
        }
        for (String audience : tokenAudiences) {
            if (audiences.contains(audience)) {
                return OAuth2TokenValidatorResult.success();
            }
        }
        return failure(JwtSvidRejection.AUDIENCE, "the token is for another audience");
    }

    private static OAuth2TokenValidatorResult failure(JwtSvidRejection reason, String description) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error(reason.name(), description, null));
    }
}
