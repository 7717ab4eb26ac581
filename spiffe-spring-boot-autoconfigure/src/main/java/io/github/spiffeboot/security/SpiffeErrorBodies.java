package io.github.spiffeboot.security;

/**
 * The JSON bodies of refused requests, independent of the web stack, so that servlet and reactive
 * applications answer alike: 401 when the caller has no SPIFFE identity, 403 (with the caller's ID, the
 * method and the path) when its identity is not allowed. Values are escaped for JSON and against
 * HTML sniffing.
 */
public final class SpiffeErrorBodies {

    private SpiffeErrorBodies() {
    }

    /** The body of a 401. */
    public static String unauthenticated(String path) {
        return "{\"error\":\"unauthenticated\",\"message\":"
                + json("a SPIFFE identity (an X.509-SVID client certificate) is required") + ",\"path\":" + json(path)
                + "}";
    }

    /** The body of a 401 for a request whose JWT-SVID was refused (why exactly is for the audit log). */
    public static String invalidJwtSvid(String path) {
        return "{\"error\":\"unauthenticated\",\"message\":" + json("a valid JWT-SVID is required") + ",\"path\":"
                + json(path) + "}";
    }

    /** The body of a 403; {@code caller} may be {@code null}. */
    public static String forbidden(String caller, String method, String path) {
        return "{\"error\":\"forbidden\",\"message\":" + json("this SPIFFE ID may not call this endpoint")
                + ",\"caller\":" + json(caller) + ",\"method\":" + json(method) + ",\"path\":" + json(path) + "}";
    }

    static String json(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
