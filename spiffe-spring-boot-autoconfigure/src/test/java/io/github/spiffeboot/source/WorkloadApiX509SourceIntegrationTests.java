package io.github.spiffeboot.source;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Workload API source against a real gRPC Workload API server on a Unix socket. */
class WorkloadApiX509SourceIntegrationTests {

    private static final String ID = "spiffe://example.org/ns/production/sa/payment-service";

    private final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    private WorkloadApiX509Source source;

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        agent.close();
    }

    @Test
    void startsWithTheSvidAndBundleTheAgentServes() {
        agent.identity(ID).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        X509Context context = source.current();
        assertThat(context.svid().id()).hasToString(ID);
        assertThat(context.svid().leaf()).isEqualTo(agent.currentSvid().leaf());
        assertThat(context.bundles().forTrustDomain(new TrustDomain("example.org")))
            .contains(agent.authority().bundle());
        assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.CONNECTED);
        assertThat(source.getLastError()).isNull();
    }

    @Test
    void acceptsEveryUsualFormOfTheSocketAddress() {
        agent.identity(ID).start();
        for (String address : List.of("unix:" + agent.socketPath(), "unix://" + agent.socketPath(),
                agent.socketPath().toString())) {
            try (WorkloadApiX509Source each = start(address, Duration.ofSeconds(10))) {
                assertThat(each.current().svid().id()).hasToString(ID);
            }
        }
    }

    @Test
    void rejectsSocketAddressesThatAreNotAbsoluteUnixPaths() {
        for (String address : List.of("tcp://127.0.0.1:8081", "unix://host/agent.sock", "relative/agent.sock",
                "unix:relative.sock", "")) {
            assertThatThrownBy(() -> WorkloadApiAddress.parse(address)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void failsAfterTheStartupTimeoutWithWhatTheAgentAnswered() {
        agent.start();
        long started = System.nanoTime();
        assertThatThrownBy(() -> start(agent.socketAddress(), Duration.ofSeconds(1)))
            .isInstanceOfSatisfying(WorkloadApiStartupException.class, ex -> {
                assertThat(ex.isRetryable()).isTrue();
                assertThat(ex.getLastAnswer()).isEqualTo("PERMISSION_DENIED: no identity issued");
                assertThat(ex.getAddress().path()).isEqualTo(agent.socketPath());
            });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(agent.svidRequestCount()).isGreaterThan(1);
    }

    @Test
    void saysSoWhenNoAgentListensOnTheSocket() {
        assertThatThrownBy(() -> start(agent.socketAddress(), Duration.ofSeconds(1)))
            .isInstanceOfSatisfying(WorkloadApiStartupException.class, ex -> assertThat(ex.getLastAnswer())
                .startsWith("UNAVAILABLE")
                .contains("no file exists at " + agent.socketPath()));
    }

    @Test
    void waitsThroughPermissionDeniedUntilTheEntryHasSynced() {
        agent.identity(ID).denyFor(Duration.ofMillis(1500)).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(15));
        assertThat(source.current().svid().id()).hasToString(ID);
        assertThat(agent.svidRequestCount()).isGreaterThan(1);
    }

    @Test
    void neverRetriesInvalidArgumentAtStartup() {
        agent.identity(ID).rejectWith(Status.Code.INVALID_ARGUMENT, "security header missing from request").start();
        long started = System.nanoTime();
        assertThatThrownBy(() -> start(agent.socketAddress(), Duration.ofSeconds(20)))
            .isInstanceOfSatisfying(WorkloadApiStartupException.class, ex -> {
                assertThat(ex.isRetryable()).isFalse();
                assertThat(ex.getLastAnswer()).isEqualTo("INVALID_ARGUMENT: security header missing from request");
            });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(agent.svidRequestCount()).isEqualTo(1);
    }

    @Test
    void retriesInvalidArgumentAfterStartupAndPicksUpTheNextSvid() {
        agent.identity(ID).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        TestSvid before = agent.currentSvid();
        int requestsBefore = agent.svidRequestCount();
        // An agent that restarted in a bad state: the open stream ends with InvalidArgument, and so do reconnects.
        agent.rejectWith(Status.Code.INVALID_ARGUMENT, "agent misbehaves")
            .failOpenStreams(Status.Code.INVALID_ARGUMENT, "agent misbehaves");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(agent.svidRequestCount()).isGreaterThanOrEqualTo(requestsBefore + 2);
            assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.RECONNECTING);
            assertThat(source.getLastError()).isEqualTo("INVALID_ARGUMENT: agent misbehaves");
        });
        assertThat(source.current().svid().leaf()).isEqualTo(before.leaf());

        agent.stopRejecting();
        TestSvid after = agent.rotate();
        await().atMost(Duration.ofSeconds(10)).until(() -> source.current().svid().leaf().equals(after.leaf()));
        assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.CONNECTED);
        assertThat(source.getLastError()).isNull();
    }

    @Test
    void publishesEveryRotationToListeners() {
        agent.identity(ID).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        List<X509Context> updates = new CopyOnWriteArrayList<>();
        source.addListener(updates::add);
        TestSvid rotated = agent.rotate();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(updates).hasSize(1));
        assertThat(updates.get(0).svid().leaf()).isEqualTo(rotated.leaf());
        assertThat(source.current().svid().leaf().getSerialNumber()).isEqualTo(rotated.leaf().getSerialNumber());
    }

    @Test
    void survivesAnAgentRestartServingTheLastSvidMeanwhile() {
        agent.identity(ID).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        TestSvid before = agent.currentSvid();
        agent.stop();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> source.getState() == WorkloadApiConnectionState.RECONNECTING);
        assertThat(source.current().svid().leaf()).isEqualTo(before.leaf());
        assertThat(source.getLastError()).startsWith("UNAVAILABLE");

        TestSvid after = agent.rotate();
        agent.start();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> source.current().svid().leaf().equals(after.leaf()));
        assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.CONNECTED);
    }

    @Test
    void reconnectsAfterALongOutageWithTheDefaultBackoff() throws InterruptedException {
        agent.identity(ID).start();
        source = WorkloadApiX509Source.start(WorkloadApiAddress.parse(agent.socketAddress()),
                new WorkloadApiX509Source.Options(Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(5)));
        agent.stop();
        Thread.sleep(6000);
        TestSvid after = agent.rotate();
        agent.start();
        await().atMost(Duration.ofSeconds(12))
            .until(() -> source.current().svid().leaf().equals(after.leaf()));
    }

    @Test
    void ignoresAnInvalidSvidAndKeepsServingTheLastGoodOne() {
        agent.identity(ID).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        TestSvid good = agent.currentSvid();
        agent.serve(agent.authority().issue(SvidSpec.forId(ID).ca(true)));
        await().atMost(Duration.ofSeconds(5)).until(() -> String.valueOf(source.getLastError()).contains("CA flag"));
        assertThat(source.current().svid().leaf()).isEqualTo(good.leaf());
        assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.CONNECTED);

        TestSvid next = agent.rotate();
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().svid().leaf().equals(next.leaf()));
    }

    @Test
    void deliversFederatedBundlesPerTrustDomain() {
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        agent.identity(ID).federateWith(partner).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        assertThat(source.current().bundles().forTrustDomain(new TrustDomain("partner.example")))
            .contains(partner.bundle());
        assertThat(source.current().bundles().forTrustDomain(new TrustDomain("example.org")))
            .contains(agent.authority().bundle());
    }

    private static WorkloadApiX509Source start(String address, Duration timeout) {
        return WorkloadApiX509Source.start(WorkloadApiAddress.parse(address),
                new WorkloadApiX509Source.Options(timeout, Duration.ofMillis(50), Duration.ofMillis(500)));
    }
}
