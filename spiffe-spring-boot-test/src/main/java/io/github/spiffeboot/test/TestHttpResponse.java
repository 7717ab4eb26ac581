package io.github.spiffeboot.test;

import java.util.List;
import java.util.Map;

/**
 * An HTTP response read by a {@link TestHttpConnection}.
 *
 * @param status the status code
 * @param headers header names in lower case, with their values
 * @param body the body as UTF-8 text
 */
public record TestHttpResponse(int status, Map<String, List<String>> headers, String body) {

    /** The first value of a header, or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return (values == null || values.isEmpty()) ? null : values.get(0);
    }
}
