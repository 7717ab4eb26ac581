package io.github.spiffeboot.source;

import java.time.Duration;

/**
 * The Workload API did not hand out a usable X.509-SVID in time, or refused the request outright.
 * Carries what the agent last answered so that the startup failure can say why.
 */
public class WorkloadApiStartupException extends RuntimeException {

    private final WorkloadApiAddress address;

    private final Duration timeout;

    private final String lastAnswer;

    private final boolean retryable;

    public WorkloadApiStartupException(WorkloadApiAddress address, Duration timeout, String lastAnswer,
            boolean retryable) {
        this("X.509-SVID", address, timeout, lastAnswer, retryable);
    }

    /**
     * @param awaited what the source waited for, such as {@code X.509-SVID} or {@code JWT bundle}
     */
    public WorkloadApiStartupException(String awaited, WorkloadApiAddress address, Duration timeout,
            String lastAnswer, boolean retryable) {
        super((retryable ? "No " + awaited + " from the SPIFFE Workload API at " + address + " within " + timeout
                : "The SPIFFE Workload API at " + address + " rejected the request") + "; it answered: "
                + lastAnswer);
        this.address = address;
        this.timeout = timeout;
        this.lastAnswer = lastAnswer;
        this.retryable = retryable;
    }

    public WorkloadApiAddress getAddress() {
        return address;
    }

    public Duration getTimeout() {
        return timeout;
    }

    /** The agent's last answer (a gRPC status and description, or what was wrong with its response). */
    public String getLastAnswer() {
        return lastAnswer;
    }

    /**
     * Whether waiting longer could have helped ({@code false} for an answer such as InvalidArgument that
     * the Workload API specification forbids retrying).
     */
    public boolean isRetryable() {
        return retryable;
    }
}
