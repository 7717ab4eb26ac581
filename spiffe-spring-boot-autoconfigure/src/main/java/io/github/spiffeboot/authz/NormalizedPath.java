package io.github.spiffeboot.authz;

import java.util.Collections;
import java.util.List;

/**
 * A request path as the rules see it, made by {@link RequestPaths#normalize}: decoded, case-folded segments
 * without empty, {@code .} and {@code ..} segments, and whether the path ended in a slash. The slash is kept
 * apart because Spring MVC treats {@code /items/} differently from {@code /items}: the final {@code *} of
 * {@code /items/*} matches its empty last segment.
 */
public final class NormalizedPath {

    private final List<String> segments;

    private final boolean trailingSlash;

    NormalizedPath(List<String> segments, boolean trailingSlash) {
        this.segments = segments;
        this.trailingSlash = trailingSlash;
    }

    /** The segments, in order; none is empty. */
    public List<String> segments() {
        return Collections.unmodifiableList(segments);
    }

    /** Whether the path ended in a slash ({@code /} itself does). */
    public boolean trailingSlash() {
        return trailingSlash;
    }

    int size() {
        return segments.size();
    }

    String segment(int index) {
        return segments.get(index);
    }

    @Override
    public String toString() {
        return "/" + String.join("/", segments) + ((trailingSlash && !segments.isEmpty()) ? "/" : "");
    }
}
