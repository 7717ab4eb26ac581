package io.github.spiffeboot.id;

/** The character rules of the SPIFFE ID standard, section 2, in one place. */
final class SpiffeIdSyntax {

    static final String SCHEME_PREFIX = "spiffe://";

    static final String BAD_TRUST_DOMAIN_CHAR =
            "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores";

    static final String BAD_PATH_SEGMENT_CHAR =
            "path segment characters are limited to letters, numbers, dots, dashes, and underscores";

    private SpiffeIdSyntax() {
    }

    static void checkTrustDomainName(String input, String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidSpiffeIdException(input, "trust domain is missing");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTrustDomainChar(name.charAt(i))) {
                throw new InvalidSpiffeIdException(input, BAD_TRUST_DOMAIN_CHAR);
            }
        }
        if (name.length() > TrustDomain.MAX_LENGTH) {
            throw new InvalidSpiffeIdException(input, "trust domain is longer than 255 bytes");
        }
    }

    /** Checks a path that is empty or starts with '/'. */
    static void checkPath(String input, String path) {
        if (path.isEmpty()) {
            return;
        }
        if (path.charAt(0) != '/') {
            throw new InvalidSpiffeIdException(input, "path must have a leading slash");
        }
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                checkSegment(input, path, segmentStart, i, i == path.length());
                segmentStart = i + 1;
            }
            else if (!isPathChar(path.charAt(i))) {
                throw new InvalidSpiffeIdException(input, BAD_PATH_SEGMENT_CHAR);
            }
        }
    }

    private static void checkSegment(String input, String path, int start, int end, boolean last) {
        int length = end - start;
        if (length == 0) {
            throw new InvalidSpiffeIdException(input,
                    last ? "path cannot have a trailing slash" : "path cannot contain empty segments");
        }
        if (path.charAt(start) == '.' && (length == 1 || (length == 2 && path.charAt(start + 1) == '.'))) {
            throw new InvalidSpiffeIdException(input, "path cannot contain dot segments");
        }
    }

    static boolean isTrustDomainChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }

    static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                || c == '_';
    }
}
