package io.github.spiffeboot.jwt;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.source.SourceLifecycle;
import io.github.spiffeboot.source.WorkloadApiAddress;
import io.github.spiffeboot.source.WorkloadApiBackoff;
import io.github.spiffeboot.source.WorkloadApiChannel;
import io.github.spiffeboot.source.WorkloadApiConnectionState;
import io.github.spiffeboot.source.WorkloadApiStartupException;
import io.github.spiffeboot.source.WorkloadApiX509Source;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.spiffe.workloadapi.grpc.Workload.JWTBundlesRequest;
import io.spiffe.workloadapi.grpc.Workload.JWTBundlesResponse;
import io.spiffe.workloadapi.grpc.Workload.JWTSVIDRequest;
import io.spiffe.workloadapi.grpc.Workload.JWTSVIDResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * JWT bundles ({@code FetchJWTBundles} stream) and JWT-SVIDs ({@code FetchJWTSVID}) from a SPIFFE Workload
 * API, on the same kind of channel and under the same rules as {@link WorkloadApiX509Source}: Unavailable
 * and PermissionDenied are retried with backoff, InvalidArgument before the first answer fails startup, a
 * broken stream reconnects while the last bundles stay in use.
 * <p>
 * Creating the source connects nothing and resolves no socket (see {@link SourceLifecycle}): it resolves the
 * address and connects when started ({@link #start()}, in {@link SourceLifecycle#PHASE}, before the web
 * server), which blocks until the first bundles arrive or the startup timeout passes, so that no request is
 * ever validated against an empty bundle set.
 */
public final class WorkloadApiJwtSource implements JwtBundleSource, JwtSvidFetcher, SmartLifecycle {

    private static final Log logger = LogFactory.getLog(WorkloadApiJwtSource.class);

    private final Supplier<WorkloadApiAddress> addressSupplier;

    // Resolved by start(), under the lock; volatile for the status getters read from other threads.
    private volatile WorkloadApiAddress address;

    private final WorkloadApiX509Source.Options options;

    private final Duration fetchTimeout;

    private final Clock clock;

    private final List<Consumer<JwtBundleSet>> listeners = new CopyOnWriteArrayList<>();

    private final List<Consumer<String>> errorListeners = new CopyOnWriteArrayList<>();

    private final Object lock = new Object();

    private final CompletableFuture<JwtBundleSet> firstBundles = new CompletableFuture<>();

    private WorkloadApiChannel channel;

    private ScheduledExecutorService scheduler;

    private WorkloadApiBackoff backoff;

    private ClientCallStreamObserver<JWTBundlesRequest> call;

    private volatile JwtBundleSet current;

    private volatile WorkloadApiConnectionState state = WorkloadApiConnectionState.STARTING;

    private volatile String lastError = "no answer yet";

    private volatile boolean running;

    /**
     * A source that connects to nothing until {@link #start()}.
     * @param address where the Workload API listens, asked for when the source starts (so that a missing or
     * malformed socket setting fails the start, not the creation); it may throw to say what is wrong
     * @param options startup timeout and backoff, as for the X.509 source
     * @param fetchTimeout how long one {@code FetchJWTSVID} call may take
     */
    public WorkloadApiJwtSource(Supplier<WorkloadApiAddress> address, WorkloadApiX509Source.Options options,
            Duration fetchTimeout, Clock clock) {
        this.addressSupplier = Objects.requireNonNull(address, "address");
        this.options = Objects.requireNonNull(options, "options");
        this.fetchTimeout = Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Resolves the socket, connects and waits for the first JWT bundles.
     * @throws WorkloadApiStartupException if none arrive within the startup timeout or the agent answers
     * with a non-retryable error; the source is closed then
     * @throws IllegalStateException if the source was stopped (it cannot start again)
     */
    @Override
    public void start() {
        WorkloadApiAddress resolved;
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED) {
                throw new IllegalStateException("The Workload API JWT source was closed and cannot start again");
            }
            if (running) {
                return;
            }
            resolved = addressSupplier.get();
            address = resolved;
            channel = new WorkloadApiChannel(resolved, "spiffe-workload-api-jwt-io");
            scheduler = Executors
                .newSingleThreadScheduledExecutor(WorkloadApiChannel.daemonThreads("spiffe-workload-api-jwt-retry"));
            backoff = new WorkloadApiBackoff(options.initialBackoff(), options.maxBackoff());
            running = true;
        }
        connect();
        try {
            JwtBundleSet first = firstBundles.get(options.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
            logger.info("JWT bundles of trust domains " + first.trustDomains() + " from the Workload API at " + resolved);
        }
        catch (TimeoutException ex) {
            stop();
            throw new WorkloadApiStartupException("JWT bundle", resolved, options.startupTimeout(),
                    describeLastError(), true);
        }
        catch (ExecutionException ex) {
            stop();
            throw new WorkloadApiStartupException("JWT bundle", resolved, options.startupTimeout(),
                    describeLastError(), false);
        }
        catch (InterruptedException ex) {
            stop();
            Thread.currentThread().interrupt();
            throw new WorkloadApiStartupException("JWT bundle", resolved, options.startupTimeout(),
                    "interrupted while waiting", true);
        }
    }

    /** Closes the stream and the channel; the source cannot be started again. */
    @Override
    public void stop() {
        ScheduledExecutorService toStop;
        WorkloadApiChannel toClose;
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED) {
                return;
            }
            state = WorkloadApiConnectionState.CLOSED;
            running = false;
            if (call != null) {
                call.cancel("source closed", null);
            }
            toStop = scheduler;
            toClose = channel;
        }
        if (toStop != null) {
            toStop.shutdownNow();
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** {@link SourceLifecycle#PHASE}: before the web server and anything else that calls with a JWT-SVID. */
    @Override
    public int getPhase() {
        return SourceLifecycle.PHASE;
    }

    @Override
    public JwtBundleSet current() {
        JwtBundleSet bundles = current;
        if (bundles == null) {
            throw new IllegalStateException("the Workload API JWT source has no bundles yet");
        }
        return bundles;
    }

    @Override
    public void addListener(Consumer<JwtBundleSet> listener) {
        listeners.add(listener);
    }

    /** Registers a listener told of each failure by gRPC status code name, or {@code INVALID_RESPONSE}. */
    public void addErrorListener(Consumer<String> listener) {
        errorListeners.add(listener);
    }

    /**
     * Asks the agent for a JWT-SVID for these audiences (a unary call, at most the fetch timeout). The
     * first SVID of the answer is this workload's default identity, as in go-spiffe.
     */
    @Override
    public JwtSvid fetch(Set<String> audiences) {
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("a JWT-SVID needs at least one audience");
        }
        WorkloadApiChannel open;
        synchronized (lock) {
            open = channel;
        }
        if (open == null || !running) {
            throw new JwtSvidUnavailableException("the Workload API JWT source is not started", null);
        }
        CompletableFuture<JWTSVIDResponse> answer = new CompletableFuture<>();
        open.stub()
            .withDeadlineAfter(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .fetchJWTSVID(JWTSVIDRequest.newBuilder().addAllAudience(audiences).build(),
                    new io.grpc.stub.StreamObserver<>() {

                        @Override
                        public void onNext(JWTSVIDResponse value) {
                            answer.complete(value);
                        }

                        @Override
                        public void onError(Throwable error) {
                            answer.completeExceptionally(error);
                        }

                        @Override
                        public void onCompleted() {
                            answer.complete(null);
                        }
                    });
        try {
            JWTSVIDResponse response = answer.get(fetchTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (response == null || response.getSvidsCount() == 0) {
                throw new JwtSvidUnavailableException("the Workload API at " + address + " sent no JWT-SVID", null);
            }
            var svid = response.getSvids(0);
            return JwtSvid.fromWorkloadApi(svid.getSvid(), svid.getSpiffeId(), clock.instant());
        }
        catch (ExecutionException ex) {
            Status status = Status.fromThrowable(ex.getCause());
            reportError(status.getCode().name());
            throw new JwtSvidUnavailableException("no JWT-SVID for " + audiences + " from the Workload API at "
                    + address + ": " + status.getCode()
                    + (status.getDescription() != null ? ": " + status.getDescription() : ""), ex.getCause());
        }
        catch (TimeoutException ex) {
            reportError(Status.Code.DEADLINE_EXCEEDED.name());
            throw new JwtSvidUnavailableException("no JWT-SVID for " + audiences + " from the Workload API at "
                    + address + " within " + fetchTimeout, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new JwtSvidUnavailableException("interrupted while fetching a JWT-SVID", ex);
        }
        catch (IllegalArgumentException ex) {
            reportError("INVALID_RESPONSE");
            throw new JwtSvidUnavailableException("the Workload API at " + address + " sent an unusable JWT-SVID: "
                    + ex.getMessage(), ex);
        }
    }

    /** Where the Workload API listens, {@code null} before the source has started. */
    public WorkloadApiAddress getAddress() {
        return address;
    }

    public WorkloadApiConnectionState getState() {
        return state;
    }

    /** What went wrong since the last good bundles, or {@code null}. */
    public String getLastError() {
        return lastError;
    }

    private void connect() {
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED || state == WorkloadApiConnectionState.FAILED) {
                return;
            }
            channel.resetConnectBackoff();
            channel.stub().fetchJWTBundles(JWTBundlesRequest.getDefaultInstance(), new BundleObserver());
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
        catch (RejectedExecutionException ex) {
            // closed concurrently
        }
    }

    private void accept(JwtBundleSet bundles) {
        JwtBundleSet previous;
        synchronized (lock) {
            if (state == WorkloadApiConnectionState.CLOSED) {
                return;
            }
            backoff.reset();
            state = WorkloadApiConnectionState.CONNECTED;
            lastError = null;
            previous = current;
            if (previous != null && previous.sameKeysAs(bundles)) {
                // The same keys again (the agent re-sent them): keep the version, so that what validators
                // derived from it (remembered tokens) stays valid.
                return;
            }
            current = bundles;
        }
        if (previous != null) {
            reportChanges(previous, bundles);
        }
        for (Consumer<JwtBundleSet> listener : listeners) {
            try {
                listener.accept(bundles);
            }
            catch (RuntimeException ex) {
                logger.error("A listener failed on a JWT bundle update", ex);
            }
        }
        firstBundles.complete(bundles);
    }

    /** A key rotation decides which tokens are accepted: worth an operator's eye. */
    private static void reportChanges(JwtBundleSet before, JwtBundleSet now) {
        for (TrustDomain trustDomain : now.trustDomains()) {
            JwtBundle bundle = now.forTrustDomain(trustDomain);
            JwtBundle old = before.forTrustDomain(trustDomain);
            if (old == null) {
                logger.info("The JWT bundle of trust domain " + trustDomain + " is now trusted: keys "
                        + bundle.keys().keySet());
            }
            else if (!old.equals(bundle)) {
                logger.info("The JWT bundle of trust domain " + trustDomain + " changed: keys "
                        + bundle.keys().keySet() + " (were " + old.keys().keySet() + ")");
            }
        }
        for (TrustDomain trustDomain : before.trustDomains()) {
            if (now.forTrustDomain(trustDomain) == null) {
                logger.info("The JWT bundle of trust domain " + trustDomain + " is no longer trusted");
            }
        }
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

    private String describeLastError() {
        String answer = (lastError != null) ? lastError : "no answer";
        if (answer.startsWith("UNAVAILABLE") && !Files.exists(address.path())) {
            answer += " (no file exists at " + address.path() + ")";
        }
        return answer;
    }

    private final class BundleObserver implements ClientResponseObserver<JWTBundlesRequest, JWTBundlesResponse> {

        @Override
        public void beforeStart(ClientCallStreamObserver<JWTBundlesRequest> requestStream) {
            synchronized (lock) {
                call = requestStream;
            }
        }

        @Override
        public void onNext(JWTBundlesResponse response) {
            JwtBundleSet bundles = JwtBundlesDecoder.decode(response.getBundlesMap(), clock.instant());
            if (bundles.trustDomains().isEmpty()) {
                lastError = "the JWT bundles response holds no usable bundle";
                reportError("INVALID_RESPONSE");
                logger.error("Ignoring a JWT bundles response from the Workload API at " + address
                        + ": no usable bundle" + (current != null ? "; the previous bundles stay in use" : ""));
                return;
            }
            accept(bundles);
        }

        @Override
        public void onError(Throwable error) {
            if (state == WorkloadApiConnectionState.CLOSED) {
                return;
            }
            Status status = Status.fromThrowable(error);
            lastError = status.getCode() + (status.getDescription() != null ? ": " + status.getDescription() : "");
            reportError(status.getCode().name());
            if (status.getCode() == Status.Code.INVALID_ARGUMENT && current == null) {
                state = WorkloadApiConnectionState.FAILED;
                logger.error("The Workload API at " + address + " rejected the JWT bundles request (" + lastError
                        + "); not retrying");
                firstBundles.completeExceptionally(error);
                return;
            }
            if (current != null) {
                logger.warn("Lost the Workload API JWT bundles stream at " + address + " (" + lastError
                        + "); reconnecting, the last bundles stay in use");
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
