package io.github.spiffeboot.autoconfigure;

/**
 * The starter is on and no usable Workload API socket is configured: failing closed rather than
 * serving without mTLS.
 */
public class WorkloadApiSocketNotConfiguredException extends RuntimeException {

    private final String origin;

    private final String value;

    public WorkloadApiSocketNotConfiguredException() {
        super("No SPIFFE Workload API socket configured (spiffe.workload-api.socket or SPIFFE_ENDPOINT_SOCKET)");
        this.origin = null;
        this.value = null;
    }

    public WorkloadApiSocketNotConfiguredException(String origin, String value, String reason) {
        super("The SPIFFE Workload API socket in " + origin + " is malformed: " + reason);
        this.origin = origin;
        this.value = value;
    }

    /** Where the malformed value came from, or {@code null} when there was none. */
    public String getOrigin() {
        return origin;
    }

    public String getValue() {
        return value;
    }
}
