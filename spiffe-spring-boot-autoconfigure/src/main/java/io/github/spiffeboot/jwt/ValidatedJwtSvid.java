package io.github.spiffeboot.jwt;

import io.github.spiffeboot.id.SpiffeId;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * A JWT-SVID that passed every check: the SPIFFE ID it proves and the token as Spring Security's
 * {@link Jwt}.
 *
 * @param id the SPIFFE ID in {@code sub}
 * @param jwt the token, headers and claims
 */
public record ValidatedJwtSvid(SpiffeId id, Jwt jwt) {
}
