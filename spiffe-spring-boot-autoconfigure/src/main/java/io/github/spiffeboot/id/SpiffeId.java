package io.github.spiffeboot.id;

/**
 * A SPIFFE ID, such as {@code spiffe://example.org/ns/production/sa/payment-service}.
 * <p>
 * {@link #parse(String)} accepts exactly what the SPIFFE ID standard accepts: scheme {@code spiffe} in
 * lowercase, a lowercase trust domain of {@code [a-z0-9._-]}, a path of segments of
 * {@code [a-zA-Z0-9._-]} without empty, {@code .} or {@code ..} segments, no trailing slash, no
 * percent-encoding, query, fragment, user info or port. Unlike java-spiffe's parser it never lower-cases
 * or otherwise repairs its input: an ID that is not in canonical form is rejected, so the string form
 * can be compared and hashed directly.
 *
 * @param trustDomain the trust domain
 * @param path the path, empty for the trust domain's own ID, otherwise starting with {@code /}
 */
public record SpiffeId(TrustDomain trustDomain, String path) {

    public SpiffeId {
        if (trustDomain == null) {
            throw new InvalidSpiffeIdException(null, "trust domain is missing");
        }
        if (path == null) {
            path = "";
        }
        SpiffeIdSyntax.checkPath(path, path);
    }

    /**
     * Parses a SPIFFE ID.
     * @throws InvalidSpiffeIdException with the broken rule as its message
     */
    public static SpiffeId parse(String input) {
        if (input == null || input.isEmpty()) {
            throw new InvalidSpiffeIdException(input, "cannot be empty");
        }
        if (!input.startsWith(SpiffeIdSyntax.SCHEME_PREFIX)) {
            throw new InvalidSpiffeIdException(input, "scheme is missing or invalid");
        }
        int tdStart = SpiffeIdSyntax.SCHEME_PREFIX.length();
        int slash = input.indexOf('/', tdStart);
        int tdEnd = (slash < 0) ? input.length() : slash;
        String name = input.substring(tdStart, tdEnd);
        SpiffeIdSyntax.checkTrustDomainName(input, name);
        String path = input.substring(tdEnd);
        SpiffeIdSyntax.checkPath(input, path);
        return new SpiffeId(new TrustDomain(name), path);
    }

    /** Whether the ID has no path, as the ID of a trust domain itself (never valid on a leaf SVID). */
    public boolean isRoot() {
        return path.isEmpty();
    }

    /** The ID in its only string form, {@code spiffe://<trust domain><path>}. */
    @Override
    public String toString() {
        return trustDomain.idString() + path;
    }
}
