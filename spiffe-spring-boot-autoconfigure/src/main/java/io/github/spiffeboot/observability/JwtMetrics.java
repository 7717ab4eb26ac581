package io.github.spiffeboot.observability;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import io.github.spiffeboot.jwt.JwtBundleSet;
import io.github.spiffeboot.jwt.JwtBundleSource;
import io.github.spiffeboot.jwt.JwtSvidRejection;
import io.github.spiffeboot.jwt.JwtValidationListener;
import io.github.spiffeboot.jwt.WorkloadApiJwtSource;
import io.github.spiffeboot.source.WorkloadApiConnectionState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer meters for JWT-SVIDs, with bounded tags only:
 * <ul>
 * <li>{@code spiffe.jwt.validations} by {@code outcome} ({@code accepted}, {@code refused}) and {@code reason}
 * (a {@link JwtSvidRejection} name, {@code none} when accepted): every bearer token a service looked at;</li>
 * <li>{@code spiffe.jwt.bundles.age} (seconds since the JWT bundles last changed; the agent streams every
 * change, so with {@code spiffe.jwt.workload.api.connected} at 1 they are current) and
 * {@code spiffe.jwt.bundles.keys} (keys trusted, all trust domains);</li>
 * <li>{@code spiffe.jwt.workload.api.connected} (1 or 0, for the JWT bundles stream) and
 * {@code spiffe.jwt.workload.api.errors} by {@code code}.</li>
 * </ul>
 */
public final class JwtMetrics implements MeterBinder, JwtValidationListener {

    private final JwtBundleSource source;

    private final Clock clock;

    private volatile Counter accepted;

    private volatile Map<JwtSvidRejection, Counter> refused = Map.of();

    public JwtMetrics(JwtBundleSource source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        // Built once: a validation only increments, it never builds or registers a meter.
        Map<JwtSvidRejection, Counter> byReason = new EnumMap<>(JwtSvidRejection.class);
        for (JwtSvidRejection rejection : JwtSvidRejection.values()) {
            byReason.put(rejection, validations(registry, "refused", rejection.name()));
        }
        this.refused = byReason;
        this.accepted = validations(registry, "accepted", "none");
        Gauge.builder("spiffe.jwt.bundles.age", this, JwtMetrics::bundleAgeSeconds)
            .baseUnit("seconds")
            .description("Seconds since the JWT bundles from the Workload API last changed")
            .register(registry);
        Gauge.builder("spiffe.jwt.bundles.keys", this, JwtMetrics::keys)
            .description("JWT signing keys trusted, all trust domains")
            .register(registry);
        if (source instanceof WorkloadApiJwtSource workloadApi) {
            Gauge.builder("spiffe.jwt.workload.api.connected", workloadApi,
                    s -> (s.getState() == WorkloadApiConnectionState.CONNECTED) ? 1 : 0)
                .description("Whether the Workload API JWT bundles stream is up")
                .register(registry);
            workloadApi.addErrorListener(code -> Counter.builder("spiffe.jwt.workload.api.errors")
                .tag("code", code)
                .description("Workload API JWT failures by gRPC status code")
                .register(registry)
                .increment());
        }
    }

    @Override
    public void onValidation(JwtSvidRejection rejection) {
        Counter counter = (rejection != null) ? refused.get(rejection) : accepted;
        if (counter != null) {
            counter.increment();
        }
    }

    private static Counter validations(MeterRegistry registry, String outcome, String reason) {
        return Counter.builder("spiffe.jwt.validations")
            .tag("outcome", outcome)
            .tag("reason", reason)
            .description("Bearer tokens looked at, by outcome and reason")
            .register(registry);
    }

    private double bundleAgeSeconds() {
        JwtBundleSet bundles = currentOrNull();
        return (bundles != null) ? Duration.between(bundles.receivedAt(), clock.instant()).toMillis() / 1000.0
                : Double.NaN;
    }

    private double keys() {
        JwtBundleSet bundles = currentOrNull();
        return (bundles != null) ? bundles.bundles().values().stream().mapToInt(bundle -> bundle.keys().size()).sum()
                : Double.NaN;
    }

    private JwtBundleSet currentOrNull() {
        try {
            return source.current();
        }
        catch (IllegalStateException ex) {
            return null;
        }
    }
}
