package io.github.spiffeboot.source;

import org.springframework.context.SmartLifecycle;

/**
 * When the starter's sources connect: with the application context's lifecycle, never when they are
 * created. A context can then be refreshed without any agent: for Spring AOT processing at build time,
 * for a CDS or AOT cache training run ({@code spring.context.exit=onRefresh}), or in tests.
 * <p>
 * Every source that talks to the Workload API follows the same pattern:
 * <ol>
 * <li>Its constructor only keeps its configuration: no threads, no channel, no socket lookup that could
 * fail (the socket is resolved when it starts).</li>
 * <li>It is a {@link SmartLifecycle} in {@link #PHASE}. {@code start()} resolves the socket, connects and
 * waits, for at most the startup timeout, for the first valid answer; if none comes it closes itself and
 * throws an exception saying what the agent answered, which a failure analyzer turns into advice.</li>
 * <li>Read before it has started, it throws {@link IllegalStateException} with a message saying so; it
 * never returns {@code null} or an empty identity, so nothing can serve or call without TLS.</li>
 * <li>{@code stop()} closes it for good.</li>
 * </ol>
 */
public final class SourceLifecycle {

    /**
     * The lifecycle phase of the sources. Far below the embedded web server's (which starts in
     * {@code SmartLifecycle.DEFAULT_PHASE - 2048}) and below plain {@code Lifecycle} beans (phase 0) that
     * might call out with an mTLS client when they start: everything that serves or calls with an SVID
     * starts after the sources have one. Stopping goes the other way, so a web server draining its requests
     * at shutdown still has its SVID. Room is left below for beans that must start even earlier.
     */
    public static final int PHASE = Integer.MIN_VALUE + 1000;

    private SourceLifecycle() {
    }
}
