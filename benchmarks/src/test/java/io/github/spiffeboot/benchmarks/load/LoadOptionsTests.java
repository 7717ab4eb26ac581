package io.github.spiffeboot.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadOptionsTests {

    private static final Path ROOT = Path.of("/checkout");

    @Test
    void defaultsAreTheFullRun() {
        LoadOptions options = LoadOptions.parse(ROOT);
        assertThat(options.soak()).isFalse();
        assertThat(options.smoke()).isFalse();
        assertThat(options.rounds()).isEqualTo(5);
        assertThat(options.keepAliveRound()).isEqualTo(Duration.ofSeconds(20));
        assertThat(options.concurrency()).isEqualTo(16);
        assertThat(options.warmupKeepAlive()).isEqualTo(150_000);
        assertThat(options.warmupNewConnections()).isEqualTo(3_000);
        assertThat(options.jvmFlags()).containsExactly("-Xms512m", "-Xmx512m", "-XX:+UseG1GC");
        assertThat(options.soakDuration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(options.sampleEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.rotationTtl()).isEqualTo(Duration.ofSeconds(6));
        assertThat(options.output()).isEqualTo(ROOT.resolve("BENCHMARKS.md"));
    }

    @Test
    void smokeShortensTheRunButExplicitOptionsWinInAnyOrder() {
        LoadOptions options = LoadOptions.parse(ROOT, "--rounds", "3", "--smoke", "--soak", "--duration", "90s");
        assertThat(options.smoke()).isTrue();
        assertThat(options.soak()).isTrue();
        assertThat(options.rounds()).isEqualTo(3);
        assertThat(options.keepAliveRound()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.warmupKeepAlive()).isEqualTo(10_000);
        assertThat(options.soakDuration()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void readsShortAndIsoTimesAndJvmFlags() {
        LoadOptions options = LoadOptions.parse(ROOT, "--restart-ttl", "PT45S", "--ttl", "1m", "--certificate-sample-every",
                "500ms", "--jvm-flags", " -Xmx1g  -XX:+UseG1GC ");
        assertThat(options.restartTtl()).isEqualTo(Duration.ofSeconds(45));
        assertThat(options.rotationTtl()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.certificateSampleEvery()).isEqualTo(Duration.ofMillis(500));
        assertThat(options.jvmFlags()).isEqualTo(List.of("-Xmx1g", "-XX:+UseG1GC"));
    }

    @Test
    void aPinnedRunHasItsOwnSectionAndPinsServersAwayFromTheDriver() {
        LoadOptions options = LoadOptions.parse(ROOT, "--engines", "--pin");
        assertThat(options.section()).isEqualTo("load-engines-pinned");
        assertThat(options.pinning().server()).containsExactly("taskset", "-c", "1");
        assertThat(options.pinning().driver()).containsExactly("taskset", "-c", "0");
        assertThat(LoadOptions.parse(ROOT, "--pin").section()).isEqualTo("load-pinned");
        assertThat(LoadOptions.parse(ROOT, "--engines").pinning().server()).isEmpty();
        assertThatThrownBy(() -> LoadOptions.parse(ROOT, "--grpc", "--pin")).hasMessageContaining("--pin is for");
    }

    @Test
    void refusesUnknownOptionsMissingValuesAndNonPositiveNumbers() {
        assertThatThrownBy(() -> LoadOptions.parse(ROOT, "--fast")).hasMessageContaining("unknown option --fast");
        assertThatThrownBy(() -> LoadOptions.parse(ROOT, "--rounds")).hasMessageContaining("--rounds needs a value");
        assertThatThrownBy(() -> LoadOptions.parse(ROOT, "--rounds", "0")).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> LoadOptions.parse(ROOT, "--duration", "soon")).hasMessageContaining("is not a time");
        assertThatThrownBy(() -> LoadOptions.parse(ROOT, "--soak", "--concurrency", "1")).hasMessageContaining("at least 2");
    }
}
