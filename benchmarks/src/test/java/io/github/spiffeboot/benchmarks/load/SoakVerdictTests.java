package io.github.spiffeboot.benchmarks.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.benchmarks.load.ServedCertificateWatch.Summary;
import io.github.spiffeboot.benchmarks.load.Soak.Sample;
import io.github.spiffeboot.benchmarks.load.SoakVerdict.Check;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The soak fails on each criterion alone, and passes only when all hold. */
class SoakVerdictTests {

    private static final long MIB = 1024 * 1024;

    /** One-minute phases: 20 rotations expected at a 6 s lifetime, 1 at 2 minutes (2 needed at least). */
    private static final LoadOptions OPTIONS = LoadOptions.parse(Path.of("/checkout"), "--soak", "--duration", "1m");

    private static final JvmProbe.Sessions NO_SESSIONS = new JvmProbe.Sessions(0, 0);

    @Test
    void passesWhenEveryCriterionHolds() {
        List<Check> checks = SoakVerdict.checks(results(samples(60 * MIB, 60 * MIB + 20 * MIB, NO_SESSIONS), rotations()), OPTIONS);
        assertThat(checks).allMatch(Check::passed);
        assertThat(SoakVerdict.passed(checks)).isTrue();
    }

    @Test
    void failsOnAnyHttpSession() {
        assertFailsOnly("no HTTP sessions", results(samples(60 * MIB, 60 * MIB, new JvmProbe.Sessions(3, 3)), rotations()));
    }

    @Test
    void failsWhenHeapAfterGcGrowsPastTheBound() {
        // 200 MiB heap: 20 % (40 MiB) is the bound, larger than 32 MiB.
        assertThat(SoakVerdict.checks(results(samples(200 * MIB, 239 * MIB, NO_SESSIONS), rotations()), OPTIONS))
            .allMatch(Check::passed);
        assertFailsOnly("heap after GC flat", results(samples(200 * MIB, 241 * MIB, NO_SESSIONS), rotations()));
    }

    @Test
    void failsOnFailedRequestsOrABrokenOffAbRun() {
        List<Sample> samples = samples(60 * MIB, 60 * MIB, NO_SESSIONS);
        Sample last = samples.remove(samples.size() - 1);
        samples.add(new Sample(last.at(), last.phase(), last.requests(), 1, last.heapAfterGc(), last.threads(),
                last.fileDescriptors(), last.sessions(), last.servedCertificates(), ""));
        assertFailsOnly("no failed requests", results(samples, rotations()));
        assertFailsOnly("no failed requests", new Soak.Results(List.of(), samples(60 * MIB, 60 * MIB, NO_SESSIONS),
                rotations(), List.of("restart-keepalive: ab exited with 1"), null, 1));
    }

    @Test
    void failsWhenTheServerDidNotCatchUpAfterTheSwitchToShortLivedSvids() {
        assertFailsOnly("caught up after the switch to short-lived SVIDs", new Soak.Results(List.of(),
                samples(60 * MIB, 60 * MIB, NO_SESSIONS), rotations(), List.of(), "not within PT1M", 1));
    }

    @Test
    void failsWhenThreadsOrDescriptorsGrow() {
        List<Sample> samples = samples(60 * MIB, 60 * MIB, NO_SESSIONS);
        Sample last = samples.remove(samples.size() - 1);
        samples.add(new Sample(last.at(), last.phase(), last.requests(), 0, last.heapAfterGc(), 60 + 11,
                40 + 33, last.sessions(), last.servedCertificates(), ""));
        List<Check> failed = SoakVerdict.checks(results(samples, rotations()), OPTIONS).stream()
            .filter(check -> !check.passed())
            .toList();
        assertThat(failed).extracting(Check::name).containsExactly("threads flat", "file descriptors flat");
    }

    @Test
    void failsWhenARotationWasNotPresentedOrTooFewRotationsWereSeen() {
        Summary missed = new Summary(Soak.ROTATION, 60, 0, 20, 19, List.of(java.math.BigInteger.TEN), List.of(), 0);
        assertFailsOnly("every rotation served (rotation)", results(samples(60 * MIB, 60 * MIB, NO_SESSIONS),
                List.of(missed, restartPhase())));
        Summary tooFew = new Summary(Soak.ROTATION, 60, 0, 10, 10, List.of(), List.of(), 0);
        assertFailsOnly("every rotation served (rotation)", results(samples(60 * MIB, 60 * MIB, NO_SESSIONS),
                List.of(tooFew, restartPhase())));
        Summary expired = new Summary(Soak.RESTART, 60, 3, 3, 3, List.of(), List.of("t SSLHandshakeException"), 0);
        assertFailsOnly("every rotation served (restart)", results(samples(60 * MIB, 60 * MIB, NO_SESSIONS),
                List.of(rotationPhase(), expired)));
    }

    private static void assertFailsOnly(String criterion, Soak.Results results) {
        List<Check> checks = SoakVerdict.checks(results, OPTIONS);
        assertThat(checks.stream().filter(check -> !check.passed()).map(Check::name)).containsExactly(criterion);
        assertThat(SoakVerdict.passed(checks)).isFalse();
    }

    private static Soak.Results results(List<Sample> samples, List<Summary> rotations) {
        return new Soak.Results(List.of(), samples, rotations, List.of(), null, 1);
    }

    private static List<Summary> rotations() {
        return List.of(rotationPhase(), restartPhase());
    }

    private static Summary rotationPhase() {
        return new Summary(Soak.ROTATION, 60, 0, 20, 20, List.of(), List.of(), 0);
    }

    private static Summary restartPhase() {
        return new Summary(Soak.RESTART, 60, 3, 3, 3, List.of(), List.of(), 0);
    }

    private static List<Sample> samples(long firstHeap, long lastHeap, JvmProbe.Sessions sessions) {
        List<Sample> samples = new ArrayList<>();
        samples.add(new Sample(0, Soak.AFTER_WARMUP, 0, 0, firstHeap, 60, 40, sessions, 1, ""));
        samples.add(new Sample(30, Soak.RESTART, 50_000, 0, (firstHeap + lastHeap) / 2, 62, 45, sessions, 3, ""));
        samples.add(new Sample(60, Soak.ROTATION, 100_000, 0, lastHeap, 63, 44, sessions, 25, ""));
        return samples;
    }
}
