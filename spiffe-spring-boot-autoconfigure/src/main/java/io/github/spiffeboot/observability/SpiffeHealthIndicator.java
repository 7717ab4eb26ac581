package io.github.spiffeboot.observability;

import java.time.Clock;

import io.github.spiffeboot.observability.SvidHealth.Assessment;
import io.github.spiffeboot.source.WorkloadApiConnectionState;
import io.github.spiffeboot.source.WorkloadApiX509Source;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.X509Svid;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code spiffe} health: UP while the SVID is valid and the Workload API connected, {@value #WARNING}
 * when rotation is overdue for the SVID's own lifetime or the agent is unreachable, DOWN once the SVID
 * has expired. Details name the ID, the expiry and the Workload API state, never key material.
 */
public final class SpiffeHealthIndicator extends AbstractHealthIndicator {

    /** The status code of the warning level. */
    public static final String WARNING = "WARNING";

    private final X509ContextSource source;

    private final SvidHealth health;

    private final Clock clock;

    public SpiffeHealthIndicator(X509ContextSource source, SvidHealth health, Clock clock) {
        super("SPIFFE health check failed");
        this.source = source;
        this.health = health;
        this.clock = clock;
    }

    /** The current assessment, shared with readiness. */
    public Assessment assess() {
        WorkloadApiConnectionState state = (source instanceof WorkloadApiX509Source workloadApi)
                ? workloadApi.getState() : null;
        return health.assess(source.current().svid(), state, clock.instant());
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Assessment assessment = assess();
        X509Svid svid = source.current().svid();
        builder.status(switch (assessment.level()) {
            case UP -> Status.UP;
            case WARNING -> new Status(WARNING, assessment.reason());
            case DOWN -> Status.DOWN;
        });
        builder.withDetail("spiffeId", svid.id().toString())
            .withDetail("trustDomain", svid.id().trustDomain().toString())
            .withDetail("expiresAt", svid.expiresAt().toString())
            .withDetail("secondsLeft", assessment.remaining().toSeconds())
            .withDetail("reason", assessment.reason());
        if (source instanceof WorkloadApiX509Source workloadApi) {
            builder.withDetail("workloadApi", workloadApi.getAddress().toString())
                .withDetail("workloadApiState", workloadApi.getState().toString());
            if (workloadApi.getLastError() != null) {
                builder.withDetail("lastError", workloadApi.getLastError());
            }
        }
    }
}
