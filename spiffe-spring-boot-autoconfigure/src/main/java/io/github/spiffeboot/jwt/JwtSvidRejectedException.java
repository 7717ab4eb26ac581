package io.github.spiffeboot.jwt;

import java.util.Objects;

import org.springframework.security.oauth2.jwt.BadJwtException;

/**
 * A token that is no valid JWT-SVID for this service, with the {@link JwtSvidRejection reason} (a bounded set, fit for
 * metric tags and audit lines; the message may add details about the token, never its signature or
 * keys).
 */
public class JwtSvidRejectedException extends BadJwtException {

    private final JwtSvidRejection reason;

    public JwtSvidRejectedException(JwtSvidRejection reason, String message) {
        super(reason + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public JwtSvidRejection getReason() {
        return reason;
    }
}
