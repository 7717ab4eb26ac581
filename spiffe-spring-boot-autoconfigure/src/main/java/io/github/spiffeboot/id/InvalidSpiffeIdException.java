package io.github.spiffeboot.id;

/**
 * A string that is not a SPIFFE ID (or trust domain) as the SPIFFE ID standard defines it. The
 * message states the rule that was broken, in the words of the reference implementation.
 */
public class InvalidSpiffeIdException extends IllegalArgumentException {

    private final String input;

    public InvalidSpiffeIdException(String input, String reason) {
        super(reason);
        this.input = input;
    }

    /** The rejected input, as given. */
    public String getInput() {
        return input;
    }

    /** The broken rule, for example {@code "path cannot have a trailing slash"}. */
    public String getReason() {
        return getMessage();
    }
}
