package io.github.spiffeboot.jwt;

/** No JWT-SVID could be had for an outgoing call (the agent is unreachable or refuses), so none is sent. */
public class JwtSvidUnavailableException extends RuntimeException {

    public JwtSvidUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
