package io.github.spiffeboot.source;

/** Where the watch on the Workload API stands. */
public enum WorkloadApiConnectionState {
    /** Waiting for the first SVID. */
    STARTING,
    /** The stream is open and the last response was valid. */
    CONNECTED,
    /** The stream broke (agent restarting, say); retrying with backoff while the last SVID is served. */
    RECONNECTING,
    /** The agent answered with an error the specification forbids retrying; no more updates will come. */
    FAILED,
    /** The source was closed. */
    CLOSED
}
