package io.github.spiffeboot.reactive;

import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.authz.NormalizedPath;
import io.github.spiffeboot.authz.RequestPaths;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;

/**
 * Reads an exchange's path the way WebFlux's handler mappings read it: within the application (the context
 * path, {@code spring.webflux.base-path}, taken off), as percent-decoded segments without path parameters
 * ({@code ;x=y}), which is what {@code PathPattern}s match. The rules are then matched on the normalised
 * segments ({@link RequestPaths}), as on servlet applications.
 */
final class WebFluxPaths {

    private WebFluxPaths() {
    }

    static NormalizedPath of(RequestPath path) {
        List<PathContainer.Element> elements = path.pathWithinApplication().elements();
        List<String> segments = new ArrayList<>(elements.size());
        for (PathContainer.Element element : elements) {
            if (element instanceof PathContainer.PathSegment segment) {
                segments.add(segment.valueToMatch());
            }
        }
        boolean trailingSlash = !elements.isEmpty()
                && !(elements.get(elements.size() - 1) instanceof PathContainer.PathSegment);
        return RequestPaths.normalize(segments, trailingSlash);
    }
}
