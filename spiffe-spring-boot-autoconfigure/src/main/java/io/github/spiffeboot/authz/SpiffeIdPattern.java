package io.github.spiffeboot.authz;

import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.id.InvalidSpiffeIdException;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;

/**
 * Which SPIFFE IDs a rule names. Three forms:
 * <ul>
 * <li>an exact ID: {@code spiffe://example.org/ns/production/sa/order-service};</li>
 * <li>any ID of a trust domain: {@code spiffe://example.org/**};</li>
 * <li>per-segment wildcards, {@code *} standing for exactly one path segment:
 * {@code spiffe://example.org/ns/*}{@code /sa/order-service}; a final {@code **} stands for one or more
 * segments.</li>
 * </ul>
 * Everything that is not a wildcard must be valid by the SPIFFE ID standard. Wildcards never reach into
 * the trust domain, and never stand for part of a segment.
 */
public final class SpiffeIdPattern {

    enum Kind {
        EXACT, TRUST_DOMAIN, WILDCARD
    }

    private static final String ANY_SEGMENT = "*";

    private static final String ANY_SEGMENTS = "**";

    private final String text;

    private final Kind kind;

    private final TrustDomain trustDomain;

    private final SpiffeId exact;

    private final String[] segments;

    private SpiffeIdPattern(String text, Kind kind, TrustDomain trustDomain, SpiffeId exact, String[] segments) {
        this.text = text;
        this.kind = kind;
        this.trustDomain = trustDomain;
        this.exact = exact;
        this.segments = segments;
    }

    /**
     * Parses a pattern.
     * @throws InvalidRuleException naming what is wrong with it
     */
    public static SpiffeIdPattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRuleException("a SPIFFE ID pattern cannot be empty");
        }
        if (!text.contains(ANY_SEGMENT)) {
            SpiffeId id = parseId(text, text);
            if (id.isRoot()) {
                throw new InvalidRuleException("'" + text + "' is a trust domain's own ID, which no workload has; use '"
                        + text + "/**' for any ID of that trust domain");
            }
            return new SpiffeIdPattern(text, Kind.EXACT, id.trustDomain(), id, null);
        }
        int pathStart = text.startsWith("spiffe://") ? text.indexOf('/', "spiffe://".length()) : -1;
        if (pathStart < 0 || text.substring(0, pathStart).contains(ANY_SEGMENT)) {
            throw new InvalidRuleException("'" + text + "': wildcards may stand for path segments only, never for"
                    + " the scheme or the trust domain");
        }
        String[] original = text.substring(pathStart + 1).split("/", -1);
        for (int i = 0; i < original.length; i++) {
            String segment = original[i];
            if (segment.contains(ANY_SEGMENT) && !segment.equals(ANY_SEGMENT) && !segment.equals(ANY_SEGMENTS)) {
                throw new InvalidRuleException("'" + text + "': wildcards must stand for whole path segments, not '"
                        + segment + "'");
            }
            if (segment.equals(ANY_SEGMENTS) && i != original.length - 1) {
                throw new InvalidRuleException("'" + text + "': '**' may only be the last segment");
            }
        }
        // Each wildcard segment becomes a valid placeholder, so that the rest is checked by the ID rules.
        SpiffeId shape = parseId(text, text.replace("/**", "/x").replace("/*", "/x"));
        if (original.length == 1 && original[0].equals(ANY_SEGMENTS)) {
            return new SpiffeIdPattern(text, Kind.TRUST_DOMAIN, shape.trustDomain(), null, null);
        }
        return new SpiffeIdPattern(text, Kind.WILDCARD, shape.trustDomain(), null, original);
    }

    private static SpiffeId parseId(String text, String candidate) {
        try {
            return SpiffeId.parse(candidate);
        }
        catch (InvalidSpiffeIdException ex) {
            throw new InvalidRuleException("'" + text + "' is not a valid SPIFFE ID or pattern: " + ex.getReason());
        }
    }

    /** Parses several patterns. */
    public static List<SpiffeIdPattern> parseAll(List<String> texts) {
        List<SpiffeIdPattern> patterns = new ArrayList<>();
        for (String text : texts) {
            patterns.add(parse(text));
        }
        return patterns;
    }

    public boolean matches(SpiffeId id) {
        return switch (kind) {
            case EXACT -> exact.equals(id);
            case TRUST_DOMAIN -> trustDomain.equals(id.trustDomain());
            case WILDCARD -> trustDomain.equals(id.trustDomain()) && matchesSegments(id.path());
        };
    }

    private boolean matchesSegments(String path) {
        if (path.isEmpty()) {
            return false;
        }
        String[] actual = path.substring(1).split("/");
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].equals(ANY_SEGMENTS)) {
                return actual.length > i;
            }
            if (i >= actual.length || (!segments[i].equals(ANY_SEGMENT) && !segments[i].equals(actual[i]))) {
                return false;
            }
        }
        return actual.length == segments.length;
    }

    Kind kind() {
        return kind;
    }

    SpiffeId exactId() {
        return exact;
    }

    TrustDomain trustDomain() {
        return trustDomain;
    }

    @Override
    public String toString() {
        return text;
    }
}
