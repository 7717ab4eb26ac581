package io.github.spiffeboot.benchmarks.load;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.benchmarks.load.ServedCertificateWatch.Observation;
import io.github.spiffeboot.benchmarks.load.ServedCertificateWatch.Summary;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the watch judges a phase from its samples of issued and presented certificates. */
class ServedCertificateWatchTests {

    private static final String ID = BenchmarkPki.PAYMENT;

    private final List<Observation> observations = new ArrayList<>();

    @Test
    void aPhaseInWhichTheServerPresentedEveryIssuedSvidHasNothingMissed() {
        sample("rotation", 1, 1);
        sample("rotation", 1, 1);
        sample("rotation", 2, 1);
        sample("rotation", 2, 2);
        sample("rotation", 3, 3);
        Summary summary = ServedCertificateWatch.summarize("rotation", observations, ID);
        assertThat(summary.samples()).isEqualTo(5);
        assertThat(summary.issued()).isEqualTo(3);
        assertThat(summary.served()).isEqualTo(3);
        assertThat(summary.missed()).isEmpty();
        assertThat(summary.failures()).isEmpty();
        assertThat(summary.wrongIdentity()).isZero();
    }

    @Test
    void anSvidIssuedLongEnoughToBeSeenTwiceButNeverPresentedIsMissed() {
        sample("rotation", 1, 1);
        sample("rotation", 2, 1);
        sample("rotation", 2, 1);
        sample("rotation", 3, 1);
        Summary summary = ServedCertificateWatch.summarize("rotation", observations, ID);
        // 3 was seen once only: it may have been issued just before the sample.
        assertThat(summary.missed()).containsExactly(BigInteger.valueOf(2));
        assertThat(summary.served()).isEqualTo(1);
    }

    @Test
    void anSvidPresentedInTheNextPhaseIsNotMissed() {
        sample("rotation", 7, 6);
        sample("rotation", 7, 6);
        sample("restart", 8, 7);
        assertThat(ServedCertificateWatch.summarize("rotation", observations, ID).missed()).isEmpty();
    }

    @Test
    void countsFailedHandshakesWrongIdentitiesAndWorkloadApiOutages() {
        sample("restart", 1, 1);
        observations.add(new Observation(Instant.now(), "restart", null, BigInteger.ONE, ID, null));
        observations.add(new Observation(Instant.now(), "restart", BigInteger.ONE, null, null,
                "SSLHandshakeException: PKIX path validation failed: validity check failed"));
        observations.add(new Observation(Instant.now(), "restart", BigInteger.ONE, BigInteger.ONE,
                "spiffe://example.org/ns/production/sa/impostor", null));
        Summary summary = ServedCertificateWatch.summarize("restart", observations, ID);
        assertThat(summary.apiDown()).isEqualTo(1);
        assertThat(summary.failures()).singleElement().asString().contains("validity check failed");
        assertThat(summary.wrongIdentity()).isEqualTo(1);
    }

    private void sample(String phase, long issued, long served) {
        observations.add(new Observation(Instant.now(), phase, BigInteger.valueOf(issued), BigInteger.valueOf(served), ID, null));
    }
}
