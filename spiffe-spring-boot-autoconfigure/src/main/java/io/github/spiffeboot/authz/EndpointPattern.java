package io.github.spiffeboot.authz;

import java.util.Arrays;

/**
 * The paths a rule protects, written as Spring MVC mappings are ({@code PathPatternParser} syntax), and
 * meaning what they mean there:
 * <ul>
 * <li>a literal segment ({@code payments});</li>
 * <li>{@code *} or {@code {name}} for one segment; a final {@code *} also matches the empty last segment of
 * a path with a trailing slash, as in Spring MVC ({@code /items/*} matches {@code /items/});</li>
 * <li>a final {@code **} or {@code {*name}} for the rest of the path: any number of segments, including
 * none ({@code /files/{*path}} matches {@code /files} and {@code /files/a/b}).</li>
 * </ul>
 * The rest of Spring's syntax is refused rather than approximated, because a pattern that silently meant
 * more or less than the handler mapping it mirrors would put the wrong rule in charge of a handler:
 * patterns inside a segment ({@code ?}, {@code *.json}, {@code v{version}}), regular expressions
 * ({@code {id:\d+}}), and {@code **} or {@code {*name}} anywhere but at the end. Each refusal says what to
 * write instead.
 * <p>
 * Literal segments compare ignoring case (see {@link RequestPaths}): a rule then also covers the case
 * variants a case-insensitive handler mapping would route to the same handler. A rule also covers its path
 * spelled with a trailing slash; such a path must be allowed with and without the slash
 * ({@link AuthorizationPolicy}).
 */
public final class EndpointPattern {

    private static final String ANY = "*";

    private static final String ANY_REST = "**";

    private final String text;

    private final String[] segments;

    private final boolean trailingRest;

    private final boolean endsWithStar;

    private final int literalCount;

    private EndpointPattern(String text, String[] segments, boolean trailingRest, boolean endsWithStar,
            int literalCount) {
        this.text = text;
        this.segments = segments;
        this.trailingRest = trailingRest;
        this.endsWithStar = endsWithStar;
        this.literalCount = literalCount;
    }

    /**
     * Parses a path pattern such as {@code /api/payments/{id}}, {@code /api/**} or {@code /files/{*path}}.
     * @throws InvalidRuleException naming the pattern and what to write instead
     */
    public static EndpointPattern parse(String text) {
        if (text == null || !text.startsWith("/")) {
            throw new InvalidRuleException("path pattern '" + text + "' must start with '/'");
        }
        if (text.contains("#") || text.contains(";") || text.contains("%")) {
            throw new InvalidRuleException("path pattern '" + text + "' may not contain '#', ';' or '%'");
        }
        String[] raw = text.equals("/") ? new String[0] : text.substring(1).split("/", -1);
        String[] segments = new String[raw.length];
        int literals = 0;
        for (int i = 0; i < raw.length; i++) {
            String segment = raw[i];
            boolean last = i == raw.length - 1;
            if (segment.isEmpty()) {
                throw new InvalidRuleException(last
                        ? "path pattern '" + text + "' ends with a slash; write '" + text.substring(0, text.length() - 1)
                                + "', which covers the path with and without the trailing slash"
                        : "path pattern '" + text + "' has an empty segment ('//')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidRuleException("path pattern '" + text + "' has a '.' or '..' segment");
            }
            Kind kind = kind(text, segment);
            if (kind == Kind.REST) {
                if (!last) {
                    throw new InvalidRuleException("path pattern '" + text + "': '" + segment
                            + "' stands for the rest of the path, so it may only be the last segment");
                }
                return new EndpointPattern(text, Arrays.copyOf(segments, i), true, false, literals);
            }
            if (kind == Kind.ONE) {
                segments[i] = ANY;
            }
            else {
                segments[i] = RequestPaths.fold(segment);
                literals++;
            }
        }
        boolean endsWithStar = raw.length > 0 && raw[raw.length - 1].equals(ANY);
        return new EndpointPattern(text, segments, false, endsWithStar, literals);
    }

    /**
     * Parses a gRPC method pattern: a full method name {@code package.Service/Method}, or
     * {@code package.Service/*} for every method of a service. A gRPC call is an HTTP/2 {@code POST} to
     * {@code /package.Service/Method}, so the pattern is that path; the names are checked against the
     * syntax of protobuf identifiers, so that a typo cannot silently become a pattern that covers nothing
     * (or a path pattern that covers more).
     * @throws InvalidRuleException naming the pattern and what to write instead
     */
    public static EndpointPattern grpcMethod(String text) {
        if (text == null || !GRPC_METHOD.matcher(text).matches()) {
            throw new InvalidRuleException("gRPC method '" + text
                    + "' must be a full method name 'package.Service/Method' or 'package.Service/*'");
        }
        return parse("/" + text);
    }

    private static final java.util.regex.Pattern GRPC_METHOD = java.util.regex.Pattern
        .compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*/(\\*|[A-Za-z_][A-Za-z0-9_]*)");

    private enum Kind {
        LITERAL, ONE, REST
    }

    private static Kind kind(String text, String segment) {
        if (segment.equals(ANY_REST)) {
            return Kind.REST;
        }
        if (segment.equals(ANY)) {
            return Kind.ONE;
        }
        boolean braced = segment.startsWith("{") && segment.endsWith("}");
        int colon = segment.indexOf(':');
        if (braced && colon > 0) {
            String name = segment.substring(1, colon).replace("*", "");
            throw new InvalidRuleException("path pattern '" + text + "': '" + segment
                    + "' restricts the segment with a regular expression, which rules do not evaluate; write '{"
                    + name + "}' (any value of the segment), or '{*" + name + "}' at the end for the rest of the path");
        }
        String inner = braced ? segment.substring(1, segment.length() - 1) : null;
        if (inner != null && inner.indexOf('{') < 0 && inner.indexOf('}') < 0) {
            boolean rest = inner.startsWith("*");
            String name = rest ? inner.substring(1) : inner;
            if (!rest && name.isEmpty()) {
                throw new InvalidRuleException("path pattern '" + text + "': '{}' names no variable; write '{name}'");
            }
            if (name.indexOf('*') < 0 && name.indexOf('?') < 0) {
                return rest ? Kind.REST : Kind.ONE;
            }
        }
        if (segment.contains("\\")) {
            throw new InvalidRuleException("path pattern '" + text + "' may not contain '\\'");
        }
        if (segment.contains("*") || segment.contains("?") || segment.contains("{") || segment.contains("}")) {
            throw new InvalidRuleException("path pattern '" + text + "': '" + segment
                    + "' matches part of a segment, which rules do not do; write '*' or '{name}' for the whole"
                    + " segment (the rule then covers any value of it)");
        }
        return Kind.LITERAL;
    }

    /**
     * Whether the pattern covers a path: as Spring MVC matches it, or without its trailing slash.
     */
    public boolean matches(NormalizedPath path) {
        int size = path.size();
        if (trailingRest) {
            return size >= segments.length && prefixMatches(path, segments.length);
        }
        if (size == segments.length && prefixMatches(path, size)) {
            return true;
        }
        // A final '*' matches the empty last segment of '/items/'.
        return endsWithStar && path.trailingSlash() && size == segments.length - 1 && prefixMatches(path, size);
    }

    private boolean prefixMatches(NormalizedPath path, int length) {
        for (int i = 0; i < length; i++) {
            if (segments[i] != ANY && !segments[i].equals(path.segment(i))) {
                return false;
            }
        }
        return true;
    }

    /** The fixed segments, case-folded; {@code null} stands for a one-segment wildcard. */
    String[] segments() {
        String[] copy = segments.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == ANY) {
                copy[i] = null;
            }
        }
        return copy;
    }

    /** Whether the pattern ends in {@code **} or {@code {*name}}. */
    boolean trailingRest() {
        return trailingRest;
    }

    /** Whether the last segment is {@code *}, which also matches an empty last segment. */
    boolean endsWithStar() {
        return endsWithStar;
    }

    /** Orders rules: more literal segments, then more segments, then no trailing rest. */
    int specificity() {
        return literalCount * 10_000 + segments.length * 10 + (trailingRest ? 0 : 1);
    }

    @Override
    public String toString() {
        return text;
    }
}
