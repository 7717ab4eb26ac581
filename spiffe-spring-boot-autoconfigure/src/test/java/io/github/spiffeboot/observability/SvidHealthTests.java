package io.github.spiffeboot.observability;

import java.time.Duration;
import java.time.Instant;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.observability.SvidHealth.Level;
import io.github.spiffeboot.source.WorkloadApiConnectionState;
import io.github.spiffeboot.svid.X509Svid;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Health levels relative to the SVID's own lifetime, not a fixed number of days. */
class SvidHealthTests {

    private final SvidHealth health = new SvidHealth(0.3);

    private final TestSvid issued = TestCertificateAuthority.create("example.org")
        .issue("spiffe://example.org/w", Duration.ofMinutes(10));

    private final X509Svid svid = new X509Svid(SpiffeId.parse("spiffe://example.org/w"), issued.chain(),
            issued.privateKey());

    private final Instant issuedAt = svid.issuedAt();

    private final Duration lifetime = Duration.between(issuedAt, svid.expiresAt());

    @Test
    void upWhileMoreThanTheFractionOfTheLifetimeIsLeft() {
        assertThat(health.assess(svid, WorkloadApiConnectionState.CONNECTED, at(0.5)).level()).isEqualTo(Level.UP);
    }

    @Test
    void warnsWhenRotationIsOverdueForThisLifetime() {
        var assessment = health.assess(svid, WorkloadApiConnectionState.CONNECTED, at(0.8));
        assertThat(assessment.level()).isEqualTo(Level.WARNING);
        assertThat(assessment.reason()).contains("rotation is overdue");
    }

    @Test
    void warnsWhileTheWorkloadApiIsUnreachable() {
        assertThat(health.assess(svid, WorkloadApiConnectionState.RECONNECTING, at(0.1)).level())
            .isEqualTo(Level.WARNING);
    }

    @Test
    void downOnceExpired() {
        assertThat(health.assess(svid, WorkloadApiConnectionState.CONNECTED, svid.expiresAt()).level())
            .isEqualTo(Level.DOWN);
    }

    @Test
    void sourcesWithoutAWorkloadApiAreJudgedByTheSvidAlone() {
        assertThat(health.assess(svid, null, at(0.2)).level()).isEqualTo(Level.UP);
    }

    private Instant at(double fractionOfLifetime) {
        return issuedAt.plusMillis((long) (lifetime.toMillis() * fractionOfLifetime));
    }
}
