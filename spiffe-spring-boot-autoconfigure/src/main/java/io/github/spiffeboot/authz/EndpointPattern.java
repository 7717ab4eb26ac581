package io.github.spiffeboot.authz;

import java.util.List;
import java.util.Locale;

/**
 * The paths a rule protects, in the form Spring MVC mappings use: literal segments, {@code *} or a
 * {@code {variable}} for exactly one segment, and a final {@code **} for any number of segments
 * (including none). Literal segments compare case-insensitively: a rule then also covers case variants
 * that a case-insensitive handler mapping might route to the same handler.
 */
public final class EndpointPattern {

    private static final String ANY = "*";

    private static final String ANY_REST = "**";

    private final String text;

    private final String[] segments;

    private final boolean trailingRest;

    private final int literalCount;

    private EndpointPattern(String text, String[] segments, boolean trailingRest, int literalCount) {
        this.text = text;
        this.segments = segments;
        this.trailingRest = trailingRest;
        this.literalCount = literalCount;
    }

    /**
     * Parses a path pattern such as {@code /api/payments/{id}} or {@code /api/**}.
     * @throws InvalidRuleException naming what is wrong with it
     */
    public static EndpointPattern parse(String text) {
        if (text == null || !text.startsWith("/")) {
            throw new InvalidRuleException("path pattern '" + text + "' must start with '/'");
        }
        if (text.contains("?") || text.contains("#") || text.contains(";") || text.contains("%")
                || text.contains("\\")) {
            throw new InvalidRuleException("path pattern '" + text + "' may not contain '?', '#', ';', '%' or '\\'");
        }
        String[] raw = text.equals("/") ? new String[0] : text.substring(1).split("/", -1);
        boolean trailingRest = false;
        int literals = 0;
        String[] segments = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            String segment = raw[i];
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidRuleException("path pattern '" + text + "' has an empty, '.' or '..' segment");
            }
            if (segment.equals(ANY_REST)) {
                if (i != raw.length - 1) {
                    throw new InvalidRuleException("path pattern '" + text + "': '**' may only be the last segment");
                }
                trailingRest = true;
                segments = java.util.Arrays.copyOf(segments, i);
                break;
            }
            if (segment.equals(ANY) || (segment.startsWith("{") && segment.endsWith("}") && segment.length() > 2
                    && segment.indexOf('{', 1) < 0 && segment.indexOf('}') == segment.length() - 1)) {
                segments[i] = ANY;
                continue;
            }
            if (segment.contains("*") || segment.contains("{") || segment.contains("}")) {
                throw new InvalidRuleException("path pattern '" + text + "': '" + segment
                        + "' mixes text and wildcards; use whole-segment '*', '{name}' or a final '**'");
            }
            segments[i] = segment.toLowerCase(Locale.ROOT);
            literals++;
        }
        return new EndpointPattern(text, segments, trailingRest, literals);
    }

    /** Matches normalised, lower-cased path segments (see {@link RequestPaths#normalize}). */
    public boolean matches(List<String> path) {
        if (trailingRest ? path.size() < segments.length : path.size() != segments.length) {
            return false;
        }
        for (int i = 0; i < segments.length; i++) {
            if (segments[i] != ANY && !segments[i].equals(path.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The fixed segments, lower case; {@code null} stands for a one-segment wildcard. */
    String[] segments() {
        String[] copy = segments.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == ANY) {
                copy[i] = null;
            }
        }
        return copy;
    }

    /** Whether the pattern ends in {@code **}. */
    boolean trailingRest() {
        return trailingRest;
    }

    /** Orders rules: more literal segments, then more segments, then no trailing '**'. */
    int specificity() {
        return literalCount * 10_000 + segments.length * 10 + (trailingRest ? 0 : 1);
    }

    @Override
    public String toString() {
        return text;
    }
}
