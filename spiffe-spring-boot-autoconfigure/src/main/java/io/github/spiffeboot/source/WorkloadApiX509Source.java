package io.github.spiffeboot.source;

import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.svid.X509BundleSet;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDRequest;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * An {@link X509ContextSource} that watches a SPIFFE Workload API ({@code FetchX509SVID} stream).
 * <p>
 * Creating it connects to nothing; it connects when it is started, as a {@link SmartLifecycle} of the
 * application context (see {@link SourceLifecycle}) or through {@link #start(WorkloadApiAddress, Options)}.
 * Until then {@link #current()} throws. {@link #start()} blocks until the first valid SVID arrives or the
 * startup timeout passes, retrying
 * Unavailable and PermissionDenied (an entry not synced yet) with backoff and failing at once on
 * InvalidArgument, as the Workload Endpoint specification asks. It never returns a source without an
 * SVID. Afterwards it keeps watching: when the stream breaks, with whatever status, it reconnects with
 * backoff and keeps serving the last good SVID meanwhile. A response that fails the X509-SVID checks is
 * logged and ignored; it never replaces a good SVID. An unusable federated bundle is dropped alone (see
 * {@link RejectedFederatedBundle}): the rest of the response still applies, so a partner's broken bundle
 * cannot stop this workload's own rotation.
 */
public final class WorkloadApiX509Source implements X509ContextSource, SmartLifecycle, AutoCloseable {

    private static final Log logger = LogFactory.getLog(WorkloadApiX509Source.class);

    /**
     * How the source waits and retries.
     *
     * @param startupTimeout how long {@link #start} waits for the first SVID
     * @param initialBackoff the first retry delay, doubled on each failure
     * @param maxBackoff the largest retry delay
     */
    public record Options(Duration startupTimeout, Duration initialBackoff, Duration maxBackoff) {

        public Options {
            Objects.requireNonNull(startupTimeout, "startupTimeout");
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
        }
    }

    private final Supplier<WorkloadApiAddress> addressSupplier;

    private final Options options;

    // Created by start(), under the lock; volatile for the status getters read from other threads.
    private volatile WorkloadApiAddress address;

    private WorkloadApiChannel channel;

    private ScheduledExecutorService scheduler;

    private volatile boolean started;

    private final List<Consumer<X509Context>> listeners = new CopyOnWriteArrayList<>();

    private final List<Consumer<String>> errorListeners = new CopyOnWriteArrayList<>();

    private final List<Consumer<RejectedFederatedBundle>> rejectionListeners = new CopyOnWriteArrayList<>();

    private final CompletableFuture<X509Context> firstContext = new CompletableFuture<>();

    private final Object lock = new Object();

    private volatile X509Context current;

    private volatile WorkloadApiConnectionState state = WorkloadApiConnectionState.STARTING;

    private volatile String lastError = "no answer yet";

    private volatile List<RejectedFederatedBundle> rejectedFederatedBundles = List.of();

    private final WorkloadApiBackoff backoff;

    private ClientCallStreamObserver<X509SVIDRequest> call;

    /**
     * A source that connects to nothing until {@link #start()}.
     * @param address where the Workload API listens, asked for when the source starts (so that a missing
     * or malformed socket setting fails the start, not the creation); it may throw to say what is wrong
     */
    public WorkloadApiX509Source(Supplier<WorkloadApiAddress> address, Options options) {
        this.addressSupplier = Objects.requireNonNull(address, "address");
        this.options = Objects.requireNonNull(options, "options");
        this.backoff = new WorkloadApiBackoff(options.initialBackoff(), options.maxBackoff());
    }

    /**
     * Creates a source, connects and waits for the first valid X.509-SVID.
     * @throws WorkloadApiStartupException if none arrives within the startup timeout or the agent
     * answers with a non-retryable error; the source is closed then
     */
    public static WorkloadApiX509Source start(WorkloadApiAddress address, Options options) {
        Objects.requireNonNull(address, "address");
        WorkloadApiX509Source source = new WorkloadApiX509Source(() -> address, options);
        source.start();
        return source;
    }

    /**
     * Connects and waits for the first valid X.509-SVID; does nothing if already started.
     * @throws WorkloadApiStartupException if none arrives within the startup timeout or the agent
     * answers with a non-retryable error; the source is closed then
     * @throws IllegalStateException if the source was closed (a closed source cannot start again)
     */
    @Override
    public void start() {
        WorkloadApiAddress resolved;
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED) {
                throw new IllegalStateException("The Workload API source was closed and cannot start again");
            }
            if (started) {
                return;
            }
            resolved = addressSupplier.get();
            open(resolved);
            started = true;
        }
        connect();
        try {
            X509Context first = firstContext.get(options.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
            logger.info("SPIFFE identity " + first.svid().id() + " (trust domain " + first.svid().id().trustDomain()
                    + "), X.509-SVID expires " + first.svid().expiresAt() + ", from the Workload API at " + resolved);
        }
        catch (TimeoutException ex) {
            close();
            throw new WorkloadApiStartupException(resolved, options.startupTimeout(), describeLastError(), true);
        }
        catch (ExecutionException ex) {
            close();
            throw new WorkloadApiStartupException(resolved, options.startupTimeout(), describeLastError(), false);
        }
        catch (InterruptedException ex) {
            close();
            Thread.currentThread().interrupt();
            throw new WorkloadApiStartupException(resolved, options.startupTimeout(), "interrupted while waiting",
                    true);
        }
    }

    private void open(WorkloadApiAddress resolved) {
        address = resolved;
        channel = new WorkloadApiChannel(resolved, "spiffe-workload-api-io");
        scheduler = Executors.newSingleThreadScheduledExecutor(
                WorkloadApiChannel.daemonThreads("spiffe-workload-api-retry"));
    }

    /** Closes the source for good (as {@link #close()}): the application context is stopping. */
    @Override
    public void stop() {
        close();
    }

    /** Whether the source has started and is not closed (or failed). */
    @Override
    public boolean isRunning() {
        synchronized (lock) {
            return started && state != WorkloadApiConnectionState.CLOSED
                    && state != WorkloadApiConnectionState.FAILED;
        }
    }

    /** {@link SourceLifecycle#PHASE}: before the web server and anything else that serves or calls with the SVID. */
    @Override
    public int getPhase() {
        return SourceLifecycle.PHASE;
    }

    /**
     * The latest valid context.
     * @throws IllegalStateException before the source has started (it connects when the application
     * context starts) or while it waits for the first SVID: there is no identity to use yet
     */
    @Override
    public X509Context current() {
        X509Context context = current;
        if (context == null) {
            throw new IllegalStateException(started ? "The Workload API source has no X.509-SVID yet"
                    : "The Workload API source has not started yet: it connects to the Workload API when the"
                            + " application context starts, so there is no X.509-SVID to use before then");
        }
        return context;
    }

    @Override
    public void addListener(Consumer<X509Context> listener) {
        listeners.add(listener);
    }

    /**
     * Registers a listener told of each failure: a gRPC status code name (such as {@code UNAVAILABLE}) or
     * {@code INVALID_RESPONSE} for a response that failed the SVID checks.
     */
    public void addErrorListener(Consumer<String> listener) {
        errorListeners.add(listener);
    }

    private void reportError(String code) {
        for (Consumer<String> listener : errorListeners) {
            try {
                listener.accept(code);
            }
            catch (RuntimeException ex) {
                logger.error("An error listener failed", ex);
            }
        }
    }

    /** The Workload API address, or {@code null} before the source has started (it is resolved then). */
    public WorkloadApiAddress getAddress() {
        return address;
    }

    public WorkloadApiConnectionState getState() {
        return state;
    }

    /**
     * What went wrong since the last valid response (the agent's status, or why a response was
     * ignored), or {@code null}.
     */
    public String getLastError() {
        return lastError;
    }

    /** The federated bundles the agent sent last that were dropped as unusable; empty when all are fine. */
    public List<RejectedFederatedBundle> getRejectedFederatedBundles() {
        return rejectedFederatedBundles;
    }

    /**
     * Registers a listener told of each federated bundle the source drops, once per change: a bundle that
     * stays broken across responses is reported once, again only if what is wrong with it changes. The
     * listener is told at once of the bundles dropped from the current context, so that it misses none
     * however late it is added.
     */
    public void addFederatedBundleRejectionListener(Consumer<RejectedFederatedBundle> listener) {
        List<RejectedFederatedBundle> already;
        synchronized (lock) {
            rejectionListeners.add(listener);
            already = rejectedFederatedBundles;
        }
        already.forEach(rejected -> tell(listener, rejected));
    }

    private static void tell(Consumer<RejectedFederatedBundle> listener, RejectedFederatedBundle rejected) {
        try {
            listener.accept(rejected);
        }
        catch (RuntimeException ex) {
            logger.error("A federated bundle rejection listener failed", ex);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED) {
                return;
            }
            state = WorkloadApiConnectionState.CLOSED;
            if (call != null) {
                call.cancel("source closed", null);
            }
        }
        // Whatever start() opened: nothing if it never ran, or its address could not be resolved.
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (channel != null) {
            channel.close();
        }
    }

    private void connect() {
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED || state == WorkloadApiConnectionState.FAILED) {
                return;
            }
            // Without this the channel may sit out gRPC's own backoff (up to minutes) after an agent restart.
            channel.resetConnectBackoff();
            channel.stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance(), new StreamObserver());
        }
    }

    private void scheduleReconnect() {
        long delay;
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED || state == WorkloadApiConnectionState.FAILED) {
                return;
            }
            if (current != null) {
                state = WorkloadApiConnectionState.RECONNECTING;
            }
            delay = backoff.nextDelayMillis();
        }
        try {
            scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }
        catch (java.util.concurrent.RejectedExecutionException ex) {
            // closed concurrently
        }
    }

    private void accept(X509ContextDecoder.Decoded decoded) {
        X509Context context = decoded.context();
        X509Context previous;
        List<RejectedFederatedBundle> previouslyRejected;
        List<Consumer<RejectedFederatedBundle>> toTell;
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED) {
                return;
            }
            backoff.reset();
            state = WorkloadApiConnectionState.CONNECTED;
            lastError = null;
            previous = current;
            current = context;
            previouslyRejected = rejectedFederatedBundles;
            rejectedFederatedBundles = decoded.rejected();
            // Taken under the lock that addFederatedBundleRejectionListener holds: each listener hears of
            // each rejection exactly once, from here or from its registration.
            toTell = List.copyOf(rejectionListeners);
        }
        reportRejectionChanges(previouslyRejected, decoded.rejected(), toTell);
        if (previous == null || !previous.equals(context)) {
            if (previous != null) {
                reportBundleChanges(previous.bundles(), context.bundles());
            }
            logger.debug("New X.509 context from the Workload API: " + context.svid() + ", trust domains "
                    + context.bundles().trustDomains());
            for (Consumer<X509Context> listener : listeners) {
                try {
                    listener.accept(context);
                }
                catch (RuntimeException ex) {
                    logger.error("A listener failed on an X.509 context update", ex);
                }
            }
        }
        // Only now may start() return: a listener added after it never sees the first context.
        firstContext.complete(context);
    }

    /**
     * Logs each trust domain whose bundle changed. Bundles change rarely (a CA rotation, a federation
     * relationship added or dropped), and each change decides whom this workload trusts, so it is worth an
     * operator's eye; an SVID rotation alone is not logged.
     */
    private static void reportBundleChanges(X509BundleSet before, X509BundleSet now) {
        for (TrustDomain trustDomain : now.trustDomains()) {
            List<X509Certificate> authorities = now.forTrustDomain(trustDomain).orElseThrow();
            Optional<List<X509Certificate>> old = before.forTrustDomain(trustDomain);
            if (old.isEmpty()) {
                logger.info("The X.509 bundle of trust domain " + trustDomain + " is now trusted: "
                        + authorities(authorities.size()));
            }
            else if (!Set.copyOf(old.get()).equals(Set.copyOf(authorities))) {
                logger.info("The X.509 bundle of trust domain " + trustDomain + " changed: "
                        + authorities(authorities.size()) + " (was " + old.get().size() + ")");
            }
        }
        for (TrustDomain trustDomain : before.trustDomains()) {
            if (now.forTrustDomain(trustDomain).isEmpty()) {
                logger.info("The X.509 bundle of trust domain " + trustDomain + " is no longer trusted");
            }
        }
    }

    private static String authorities(int count) {
        return count + ((count == 1) ? " authority" : " authorities");
    }

    private void reportRejectionChanges(List<RejectedFederatedBundle> before, List<RejectedFederatedBundle> now,
            List<Consumer<RejectedFederatedBundle>> toTell) {
        for (RejectedFederatedBundle rejected : now) {
            if (before.contains(rejected)) {
                continue;
            }
            logger.warn("Dropped the federated X.509 bundle \"" + rejected.trustDomain() + "\" sent by the Workload API at "
                    + address + " (" + rejected.reason() + ": " + rejected.detail() + ")" + consequence(rejected));
            toTell.forEach(listener -> tell(listener, rejected));
        }
        for (RejectedFederatedBundle fixed : before) {
            if (now.stream().noneMatch(rejected -> rejected.trustDomain().equals(fixed.trustDomain()))) {
                logger.info("The federated X.509 bundle \"" + fixed.trustDomain()
                        + "\" is usable again, or no longer sent");
            }
        }
    }

    private static String consequence(RejectedFederatedBundle rejected) {
        return switch (rejected.reason()) {
            case OWN_TRUST_DOMAIN -> "; the bundle that came with the SVID stays in use";
            case INVALID_TRUST_DOMAIN -> "";
            default -> "; peers of that trust domain are rejected until a usable bundle arrives";
        };
    }

    private String describeLastError() {
        String answer = (lastError != null) ? lastError : "no answer";
        if (answer.startsWith("UNAVAILABLE") && !Files.exists(address.path())) {
            answer += " (no file exists at " + address.path() + ")";
        }
        return answer;
    }

    private final class StreamObserver implements ClientResponseObserver<X509SVIDRequest, X509SVIDResponse> {

        @Override
        public void beforeStart(ClientCallStreamObserver<X509SVIDRequest> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(X509SVIDResponse response) {
            X509ContextDecoder.Decoded decoded;
            try {
                decoded = X509ContextDecoder.decode(response);
            }
            catch (GeneralSecurityException | RuntimeException ex) {
                lastError = "invalid X.509-SVID response: " + ex.getMessage();
                reportError("INVALID_RESPONSE");
                logger.error("Ignoring an X.509-SVID response from the Workload API at " + address + ": "
                        + ex.getMessage() + (current != null ? "; still serving " + current.svid() : ""));
                return;
            }
            accept(decoded);
        }

        @Override
        public void onError(Throwable error) {
            Status status = Status.fromThrowable(error);
            if (state == WorkloadApiConnectionState.CLOSED) {
                return;
            }
            lastError = status.getCode() + (status.getDescription() != null ? ": " + status.getDescription() : "");
            reportError(status.getCode().name());
            boolean invalidArgument = status.getCode() == Status.Code.INVALID_ARGUMENT;
            X509Context served = current;
            if (invalidArgument && served == null) {
                // Before the first SVID, InvalidArgument means our request is wrong: the specification forbids
                // retrying it, and startup fails with a configuration error.
                state = WorkloadApiConnectionState.FAILED;
                logger.error("The Workload API at " + address + " rejected the X.509-SVID request (" + lastError
                        + "); not retrying");
                firstContext.completeExceptionally(error);
                return;
            }
            if (invalidArgument) {
                // The same request worked before, so the agent misbehaves (restarted in a bad state, say). Giving
                // up would leave the SVID to expire; retry with backoff like any other broken stream.
                logger.error("The Workload API at " + address + " answered " + lastError
                        + " to a request it accepted before; retrying with backoff, still serving " + served.svid());
            }
            else if (served != null) {
                logger.warn("Lost the Workload API stream at " + address + " (" + lastError
                        + "); reconnecting, still serving " + served.svid());
            }
            scheduleReconnect();
        }

        @Override
        public void onCompleted() {
            lastError = "the agent closed the stream";
            scheduleReconnect();
        }
    }
}
