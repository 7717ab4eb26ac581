package io.github.spiffeboot.source;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for Workload API reconnects, the same for every source: starts at the
 * initial delay, doubles up to the maximum, and goes back to the start after a good answer. A fifth of
 * jitter keeps many workloads on one agent from reconnecting in step after an agent restart. Not
 * thread-safe: the owning source calls it under its own lock.
 */
public final class WorkloadApiBackoff {

    private final long initialMillis;

    private final long maxMillis;

    private long nextMillis;

    public WorkloadApiBackoff(Duration initial, Duration max) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.nextMillis = initialMillis;
    }

    /** The delay before the next attempt, in milliseconds; each call doubles the one after. */
    public long nextDelayMillis() {
        long delay = nextMillis + ThreadLocalRandom.current().nextLong(nextMillis / 5 + 1);
        nextMillis = Math.min(nextMillis * 2, maxMillis);
        return delay;
    }

    /** After a good answer: the next failure waits the initial delay again. */
    public void reset() {
        nextMillis = initialMillis;
    }
}
