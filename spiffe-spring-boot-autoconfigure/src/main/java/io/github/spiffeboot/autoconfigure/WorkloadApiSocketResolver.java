package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.source.WorkloadApiAddress;
import org.springframework.core.env.Environment;

/**
 * Finds the Workload API socket: {@code spiffe.workload-api.socket}, else the
 * {@code SPIFFE_ENDPOINT_SOCKET} environment variable the SPIFFE Workload Endpoint specification names.
 * Failing closed: no socket, or a malformed one, stops startup naming where the value came from.
 */
final class WorkloadApiSocketResolver {

    /** The environment variable the SPIFFE Workload Endpoint specification names. */
    static final String SPIFFE_ENDPOINT_SOCKET = "SPIFFE_ENDPOINT_SOCKET";

    private WorkloadApiSocketResolver() {
    }

    static WorkloadApiAddress resolve(SpiffeProperties properties, Environment environment) {
        String configured = properties.getWorkloadApi().getSocket();
        String origin = "spiffe.workload-api.socket";
        if (configured == null) {
            configured = environment.getProperty(SPIFFE_ENDPOINT_SOCKET);
            origin = SPIFFE_ENDPOINT_SOCKET;
        }
        if (configured == null || configured.isBlank()) {
            throw new WorkloadApiSocketNotConfiguredException();
        }
        try {
            return WorkloadApiAddress.parse(configured);
        }
        catch (IllegalArgumentException ex) {
            throw new WorkloadApiSocketNotConfiguredException(origin, configured, ex.getMessage());
        }
    }
}
