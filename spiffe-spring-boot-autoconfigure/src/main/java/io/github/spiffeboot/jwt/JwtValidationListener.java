package io.github.spiffeboot.jwt;

/** Told of each bearer token a service looked at: for metrics, with bounded reasons only. */
@FunctionalInterface
public interface JwtValidationListener {

    /**
     * @param rejection why the token was refused, or {@code null} if it was accepted
     */
    void onValidation(JwtSvidRejection rejection);
}
