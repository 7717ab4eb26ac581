package io.github.spiffeboot.authz;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises the decoded path segments of a request before rules are matched, so that spellings of
 * the same path cannot slip past the rule that protects it: empty segments ({@code //}) and {@code .} are
 * dropped, {@code ..} removes the segment before it, and case is folded. A trailing slash is recorded
 * rather than kept as a segment (see {@link NormalizedPath}).
 */
public final class RequestPaths {

    private RequestPaths() {
    }

    /**
     * @param decodedSegments the path's segments, percent-decoded, without path parameters
     * @param trailingSlash whether the path ended in a slash
     */
    public static NormalizedPath normalize(List<String> decodedSegments, boolean trailingSlash) {
        List<String> normalized = new ArrayList<>(decodedSegments.size());
        for (String segment : decodedSegments) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (!normalized.isEmpty()) {
                    normalized.remove(normalized.size() - 1);
                }
                continue;
            }
            normalized.add(fold(segment));
        }
        // '/a/.' and '/a/b/..' name the directory-like '/a/' too. Erring towards a trailing slash is safe:
        // such a path must be allowed both with and without it.
        int count = decodedSegments.size();
        boolean directory = count > 0
                && (decodedSegments.get(count - 1).equals(".") || decodedSegments.get(count - 1).equals(".."));
        return new NormalizedPath(normalized, trailingSlash || directory);
    }

    /** Splits and normalises a decoded path such as {@code /api/payments/refund}. */
    public static NormalizedPath normalize(String decodedPath) {
        return normalize(List.of(decodedPath.split("/", -1)), decodedPath.endsWith("/"));
    }

    /**
     * Folds case the way {@link String#equalsIgnoreCase} compares (code point by code point, upper then
     * lower case), which is how Spring's {@code PathPattern} compares literals when told to ignore case: two
     * strings equal ignoring case fold to the same text. {@code toLowerCase} does not do that: it turns
     * {@code 'İ'} into two characters, and leaves {@code 'ı'}, which {@code equalsIgnoreCase} takes for
     * {@code 'i'}.
     */
    static String fold(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // ASCII first: the common case, and only 'A'..'Z' change there.
            if ((c < 0x80) ? (c >= 'A' && c <= 'Z') : (Character.isSurrogate(c) || fold(c) != c)) {
                return foldFrom(text, i);
            }
        }
        return text;
    }

    private static String foldFrom(String text, int start) {
        StringBuilder folded = new StringBuilder(text.length()).append(text, 0, start);
        for (int i = start; i < text.length();) {
            int codePoint = text.codePointAt(i);
            folded.appendCodePoint(fold(codePoint));
            i += Character.charCount(codePoint);
        }
        return folded.toString();
    }

    private static int fold(int codePoint) {
        return Character.toLowerCase(Character.toUpperCase(codePoint));
    }
}
