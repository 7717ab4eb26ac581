package io.github.spiffeboot.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Normalises the decoded path segments of a request before rules are matched, so that spellings of
 * the same path cannot slip past the rule that protects it: empty segments ({@code //}, a trailing
 * {@code /}) and {@code .} are dropped, {@code ..} removes the segment before it, and case is folded.
 */
public final class RequestPaths {

    private RequestPaths() {
    }

    /**
     * @param decodedSegments the path's segments, percent-decoded, without path parameters
     */
    public static List<String> normalize(List<String> decodedSegments) {
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
            normalized.add(segment.toLowerCase(Locale.ROOT));
        }
        return normalized;
    }

    /** Splits and normalises a decoded path such as {@code /api/payments/refund}. */
    public static List<String> normalize(String decodedPath) {
        return normalize(List.of(decodedPath.split("/", -1)));
    }
}
