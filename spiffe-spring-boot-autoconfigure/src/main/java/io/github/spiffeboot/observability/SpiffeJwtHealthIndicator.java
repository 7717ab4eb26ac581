package io.github.spiffeboot.observability;

import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

import io.github.spiffeboot.jwt.JwtBundleSet;
import io.github.spiffeboot.jwt.JwtBundleSource;
import io.github.spiffeboot.jwt.WorkloadApiJwtSource;
import io.github.spiffeboot.source.WorkloadApiConnectionState;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code spiffeJwt} health: UP while the JWT bundles stream is connected, {@value SpiffeHealthIndicator#WARNING}
 * while it reconnects (the last bundles stay in use, but a key rotation would go unnoticed), DOWN without
 * bundles. Details name the trust domains, their key counts, when the bundles arrived and the stream
 * state; never a key.
 */
public final class SpiffeJwtHealthIndicator extends AbstractHealthIndicator {

    private final JwtBundleSource source;

    private final Clock clock;

    public SpiffeJwtHealthIndicator(JwtBundleSource source, Clock clock) {
        super("SPIFFE JWT health check failed");
        this.source = source;
        this.clock = clock;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        WorkloadApiConnectionState state = (source instanceof WorkloadApiJwtSource workloadApi)
                ? workloadApi.getState() : null;
        JwtBundleSet bundles;
        try {
            bundles = source.current();
        }
        catch (IllegalStateException ex) {
            builder.down().withDetail("reason", "no JWT bundles");
            return;
        }
        if (state == null || state == WorkloadApiConnectionState.CONNECTED) {
            builder.up();
        }
        else {
            builder.status(new Status(SpiffeHealthIndicator.WARNING, "the JWT bundles stream is " + state));
        }
        Map<String, Integer> keys = new TreeMap<>();
        bundles.bundles().forEach((trustDomain, bundle) -> keys.put(trustDomain.name(), bundle.keys().size()));
        builder.withDetail("trustDomains", keys)
            .withDetail("bundlesReceivedAt", bundles.receivedAt().toString())
            .withDetail("bundlesAgeSeconds", java.time.Duration.between(bundles.receivedAt(), clock.instant()).toSeconds());
        if (source instanceof WorkloadApiJwtSource workloadApi) {
            builder.withDetail("workloadApi", workloadApi.getAddress().toString())
                .withDetail("workloadApiState", workloadApi.getState().toString());
            if (workloadApi.getLastError() != null) {
                builder.withDetail("lastError", workloadApi.getLastError());
            }
        }
    }
}
