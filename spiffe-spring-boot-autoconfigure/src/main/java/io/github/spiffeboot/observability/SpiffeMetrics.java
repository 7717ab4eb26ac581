package io.github.spiffeboot.observability;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.source.WorkloadApiConnectionState;
import io.github.spiffeboot.source.WorkloadApiX509Source;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.X509Svid;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer meters, with bounded tags only (rule names, outcomes, reasons, status codes; caller IDs
 * only from an explicit list):
 * <ul>
 * <li>{@code spiffe.svid.expiry} (seconds until the current SVID expires);</li>
 * <li>{@code spiffe.svid.rotations} (new SVIDs after the first);</li>
 * <li>{@code spiffe.workload.api.connected} (1 or 0) and {@code spiffe.workload.api.errors} by {@code code};</li>
 * <li>{@code spiffe.federated.bundles.rejected} (federated bundles dropped as unusable right now, the one to
 * alert on) and {@code spiffe.federated.bundles.rejections} by {@code reason} (each bundle dropped, once per
 * change; trust domains are in the log, not in tags);</li>
 * <li>{@code spiffe.tls.handshake.rejections} by {@code reason};</li>
 * <li>{@code spiffe.authz.decisions} by {@code outcome}, {@code rule} and {@code transport} ({@code http} or
 * {@code grpc}) (and {@code caller}, if configured).</li>
 * </ul>
 */
public final class SpiffeMetrics implements MeterBinder, PeerRejectionListener, AuthorizationDecisionListener {

    private static final String OTHER = "other";

    private final X509ContextSource source;

    private final Clock clock;

    private final Set<String> taggedCallers;

    private volatile MeterRegistry registry;

    private final java.util.Map<DecisionTags, Counter> decisionCounters = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param taggedCallers caller IDs that get their own {@code caller} tag; all others are {@code other}.
     * Empty: no caller tag at all.
     */
    public SpiffeMetrics(X509ContextSource source, Clock clock, Set<String> taggedCallers) {
        this.source = source;
        this.clock = clock;
        this.taggedCallers = Set.copyOf(taggedCallers);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.decisionCounters.clear();
        this.registry = registry;
        Gauge.builder("spiffe.svid.expiry", this, SpiffeMetrics::secondsToExpiry)
            .baseUnit("seconds")
            .description("Seconds until the current X.509-SVID expires")
            .register(registry);
        Counter rotations = Counter.builder("spiffe.svid.rotations")
            .description("X.509-SVIDs received after the first")
            .register(registry);
        X509Svid now = currentSvid();
        java.util.concurrent.atomic.AtomicReference<java.security.cert.X509Certificate> leaf = new java.util.concurrent.atomic.AtomicReference<>(
                (now != null) ? now.leaf() : null);
        source.addListener(context -> {
            // Only a new SVID is a rotation; a bundle update alone is not, and neither is the first SVID of a
            // source that started after the meters were bound.
            java.security.cert.X509Certificate previous = leaf.getAndSet(context.svid().leaf());
            if (previous != null && !previous.equals(context.svid().leaf())) {
                rotations.increment();
            }
        });
        if (source instanceof WorkloadApiX509Source workloadApi) {
            Gauge.builder("spiffe.workload.api.connected", workloadApi,
                    s -> (s.getState() == WorkloadApiConnectionState.CONNECTED) ? 1 : 0)
                .description("Whether the Workload API stream is up")
                .register(registry);
            workloadApi.addErrorListener(code -> Counter.builder("spiffe.workload.api.errors")
                .tag("code", code)
                .description("Workload API failures by gRPC status code")
                .register(registry)
                .increment());
            Gauge.builder("spiffe.federated.bundles.rejected", workloadApi, s -> s.getRejectedFederatedBundles().size())
                .description("Federated bundles from the Workload API currently dropped as unusable")
                .register(registry);
            workloadApi.addFederatedBundleRejectionListener(rejected -> Counter
                .builder("spiffe.federated.bundles.rejections")
                .tag("reason", rejected.reason().name())
                .description("Federated bundles dropped as unusable, by reason, once per change")
                .register(registry)
                .increment());
        }
    }

    private double secondsToExpiry() {
        X509Svid svid = currentSvid();
        return (svid != null) ? Duration.between(clock.instant(), svid.expiresAt()).toMillis() / 1000.0 : Double.NaN;
    }

    /**
     * The current SVID, or {@code null} before the source has started: meters are bound when the context
     * refreshes, and the source connects only when it starts.
     */
    private X509Svid currentSvid() {
        try {
            return source.current().svid();
        }
        catch (IllegalStateException notStartedYet) {
            return null;
        }
    }

    @Override
    public void rejected(SvidVerificationException rejection) {
        MeterRegistry meters = registry;
        if (meters != null) {
            Counter.builder("spiffe.tls.handshake.rejections")
                .tag("reason", rejection.getReason().name())
                .description("TLS peers turned away, by reason")
                .register(meters)
                .increment();
        }
    }

    @Override
    public void onDecision(AuthorizationDecision decision) {
        MeterRegistry meters = registry;
        if (meters == null) {
            return;
        }
        String caller = null;
        if (!taggedCallers.isEmpty()) {
            String id = (decision.caller() != null) ? decision.caller().toString() : "none";
            caller = taggedCallers.contains(id) ? id : OTHER;
        }
        // Called on every request: the counter is looked up once per tag combination (all bounded), not
        // rebuilt and registered each time.
        decisionCounters.computeIfAbsent(new DecisionTags(decision.outcome().name(), decision.rule(), decision.transport(), caller),
                tags -> decisionCounter(meters, tags)).increment();
    }

    private static Counter decisionCounter(MeterRegistry meters, DecisionTags tags) {
        Counter.Builder counter = Counter.builder("spiffe.authz.decisions")
            .tag("outcome", tags.outcome())
            .tag("rule", tags.rule())
            .tag("transport", tags.transport())
            .description("Authorization decisions by outcome and rule");
        if (tags.caller() != null) {
            counter.tag("caller", tags.caller());
        }
        return counter.register(meters);
    }

    private record DecisionTags(String outcome, String rule, String transport, String caller) {
    }
}
