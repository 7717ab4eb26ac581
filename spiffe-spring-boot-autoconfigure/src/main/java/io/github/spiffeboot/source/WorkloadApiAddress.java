package io.github.spiffeboot.source;

import java.nio.file.Path;

/**
 * The Unix domain socket of a SPIFFE Workload API. Accepts the forms users meet in practice:
 * {@code unix:/path}, {@code unix:///path} (the {@code SPIFFE_ENDPOINT_SOCKET} convention) and a bare
 * absolute path.
 *
 * @param path the absolute path of the socket
 */
public record WorkloadApiAddress(Path path) {

    public WorkloadApiAddress {
        if (path == null || !path.isAbsolute()) {
            throw new IllegalArgumentException("the Workload API socket path must be absolute, got " + path);
        }
    }

    /**
     * Parses a socket address.
     * @throws IllegalArgumentException explaining what form is expected
     */
    public static WorkloadApiAddress parse(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("no Workload API socket given");
        }
        String value = address.trim();
        String path;
        if (value.startsWith("unix://")) {
            path = value.substring("unix://".length());
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("'" + address
                        + "' names a host; a Unix socket address is unix:///absolute/path or unix:/absolute/path");
            }
        }
        else if (value.startsWith("unix:")) {
            path = value.substring("unix:".length());
        }
        else if (value.startsWith("/")) {
            path = value;
        }
        else {
            throw new IllegalArgumentException("'" + address
                    + "' is not a Unix socket address; use unix:///absolute/path, unix:/absolute/path or /absolute/path");
        }
        if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
            throw new IllegalArgumentException("'" + address + "' must name an absolute socket path without query or fragment");
        }
        return new WorkloadApiAddress(Path.of(path));
    }

    @Override
    public String toString() {
        return "unix://" + path;
    }
}
