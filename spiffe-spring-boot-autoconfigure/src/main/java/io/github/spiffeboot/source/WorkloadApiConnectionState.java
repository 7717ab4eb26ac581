package io.github.spiffeboot.source;

/** Where the watch on the Workload API stands. */
public enum WorkloadApiConnectionState {
    /** Waiting for the first SVID. */
    STARTING,
    /** The stream is open and the last response was valid. */
    CONNECTED,
    /**
     * The stream broke (agent restarting, say) or the agent answered with an error; retrying with backoff
     * while the last SVID is served.
     */
    RECONNECTING,
    /**
     * Before the first SVID, the agent refused the request with an error the specification forbids
     * retrying (InvalidArgument): startup fails. Once an SVID was received, errors lead to
     * {@link #RECONNECTING} instead.
     */
    FAILED,
    /** The source was closed. */
    CLOSED
}
