package io.github.spiffeboot.autoconfigure;

/** The starter is on and no Workload API socket is configured: failing closed rather than serving plain HTTP. */
public class WorkloadApiSocketNotConfiguredException extends RuntimeException {

    public WorkloadApiSocketNotConfiguredException() {
        super("No SPIFFE Workload API socket configured (spiffe.workload-api.socket or SPIFFE_ENDPOINT_SOCKET)");
    }
}
