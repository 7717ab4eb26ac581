package io.github.spiffeboot.authz;

/** An authorization rule, pattern or method that cannot be compiled; the message says why. */
public class InvalidRuleException extends IllegalArgumentException {

    public InvalidRuleException(String message) {
        super(message);
    }
}
