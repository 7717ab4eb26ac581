package io.github.spiffeboot.id;

/**
 * A SPIFFE trust domain name, such as {@code example.org}.
 *
 * @param name the trust domain name: lowercase letters, digits, dots, dashes and underscores
 */
public record TrustDomain(String name) {

    static final int MAX_LENGTH = 255;

    public TrustDomain {
        SpiffeIdSyntax.checkTrustDomainName(name, name);
    }

    /**
     * Parses a trust domain given either as a bare name ({@code example.org}) or as a SPIFFE ID
     * ({@code spiffe://example.org} or {@code spiffe://example.org/any/path}, the form the Workload API
     * uses as keys of federated bundles).
     * @throws InvalidSpiffeIdException if the input is neither
     */
    public static TrustDomain parse(String input) {
        if (input == null || input.isEmpty()) {
            throw new InvalidSpiffeIdException(input, "trust domain is missing");
        }
        if (input.contains(":/")) {
            return SpiffeId.parse(input).trustDomain();
        }
        return new TrustDomain(input);
    }

    /** The trust domain's own SPIFFE ID, {@code spiffe://<name>}. */
    public String idString() {
        return SpiffeIdSyntax.SCHEME_PREFIX + name;
    }

    @Override
    public String toString() {
        return name;
    }
}
