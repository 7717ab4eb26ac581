package io.github.spiffeboot.source;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.observability.SpiffeMetrics;
import io.github.spiffeboot.source.RejectedFederatedBundle.Reason;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** The Workload API source against a real gRPC Workload API server on a Unix socket. */
@ExtendWith(OutputCaptureExtension.class)
class WorkloadApiX509SourceIntegrationTests {

    private static final String ID = "spiffe://example.org/ns/production/sa/payment-service";

    private static final TrustDomain OWN = new TrustDomain("example.org");

    private static final TrustDomain PARTNER = new TrustDomain("partner.example");

    private static final byte[] NOT_DER = "not a certificate".getBytes(StandardCharsets.US_ASCII);

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
    void connectsToNothingUntilStartedAndFailsClosedMeanwhile() {
        agent.identity(ID).start();
        List<X509Context> seen = new CopyOnWriteArrayList<>();
        source = new WorkloadApiX509Source(() -> WorkloadApiAddress.parse(agent.socketAddress()),
                new WorkloadApiX509Source.Options(Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofMillis(500)));
        source.addListener(seen::add);
        assertThat(agent.svidRequestCount()).isZero();
        assertThat(source.isRunning()).isFalse();
        assertThat(source.getAddress()).isNull();
        assertThatThrownBy(source::current).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("has not started yet");

        source.start();
        assertThat(source.isRunning()).isTrue();
        assertThat(source.current().svid().leaf()).isEqualTo(agent.currentSvid().leaf());
        // A listener added before the start hears of the first SVID too.
        assertThat(seen).extracting(context -> context.svid().leaf()).containsExactly(agent.currentSvid().leaf());

        source.stop();
        assertThat(source.isRunning()).isFalse();
        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void resolvesItsAddressOnlyWhenStarting() {
        IllegalArgumentException notConfigured = new IllegalArgumentException("no socket configured");
        source = new WorkloadApiX509Source(() -> {
            throw notConfigured;
        }, new WorkloadApiX509Source.Options(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(500)));
        assertThatThrownBy(source::start).isSameAs(notConfigured);
        assertThat(source.isRunning()).isFalse();
        assertThatThrownBy(source::current).isInstanceOf(IllegalStateException.class);
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

    @Test
    void rotatesItsOwnSvidWhileAFederatedBundleIsMalformed() {
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        agent.identity(ID).federateWith(partner).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        agent.serveFederatedBundle("spiffe://broken.example", NOT_DER);
        TestSvid next = agent.rotate();
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().svid().leaf().equals(next.leaf()));
        assertThat(source.current().bundles().trustDomains()).containsExactlyInAnyOrder(OWN, PARTNER);
        assertThat(source.current().bundles().forTrustDomain(PARTNER)).contains(partner.bundle());
        assertThat(source.getRejectedFederatedBundles()).extracting("trustDomain", "reason")
            .containsExactly(tuple("spiffe://broken.example", Reason.MALFORMED));
        assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.CONNECTED);
        assertThat(source.getLastError()).isNull();
    }

    @Test
    void startsWhileAFederatedBundleIsEmpty() {
        // SPIRE sends an empty X.509 bundle for a federated domain that publishes only JWT keys.
        agent.identity(ID).serveFederatedBundle("spiffe://jwt-only.example", new byte[0]).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(5));
        assertThat(source.current().svid().leaf()).isEqualTo(agent.currentSvid().leaf());
        assertThat(source.current().bundles().trustDomains()).containsExactly(OWN);
        assertThat(source.getRejectedFederatedBundles()).extracting("trustDomain", "reason")
            .containsExactly(tuple("spiffe://jwt-only.example", Reason.EMPTY));
    }

    @Test
    void appliesTheGoodFederatedBundlesAndDropsEachBadOneAlone() {
        agent.identity(ID).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        TestCertificateAuthority intruder = TestCertificateAuthority.create("example.org");
        agent.serveFederatedBundle("spiffe://empty.example", new byte[0])
            .serveFederatedBundle("spiffe://garbled.example", NOT_DER)
            .serveFederatedBundle("Not A Trust Domain", der(partner))
            .serveFederatedBundle("spiffe://evil.example\nWARN forged log line", der(partner))
            .serveFederatedBundle("spiffe://example.org", der(intruder))
            .federateWith(partner);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> source.current().bundles().forTrustDomain(PARTNER).isPresent());
        assertThat(source.current().bundles().trustDomains()).containsExactlyInAnyOrder(OWN, PARTNER);
        // A federated entry never adds to or replaces our own trust domain's authorities.
        assertThat(source.current().bundles().forTrustDomain(OWN)).contains(agent.authority().bundle());
        assertThat(source.getRejectedFederatedBundles()).extracting("trustDomain", "reason")
            .containsExactlyInAnyOrder(tuple("spiffe://empty.example", Reason.EMPTY),
                    tuple("spiffe://garbled.example", Reason.MALFORMED),
                    tuple("Not A Trust Domain", Reason.INVALID_TRUST_DOMAIN),
                    tuple("spiffe://evil.example\\u000aWARN forged log line", Reason.INVALID_TRUST_DOMAIN),
                    tuple("spiffe://example.org", Reason.OWN_TRUST_DOMAIN));
    }

    @Test
    void dropsAFederatedTrustDomainNamedTwiceRatherThanPickingOneBundle() {
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        TestCertificateAuthority impostor = TestCertificateAuthority.create("partner.example");
        agent.identity(ID).federateWith(partner).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        agent.serveFederatedBundle("spiffe://partner.example/any/path", der(impostor));
        TestSvid next = agent.rotate();
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().svid().leaf().equals(next.leaf()));
        assertThat(source.current().bundles().forTrustDomain(PARTNER)).isEmpty();
        assertThat(source.getRejectedFederatedBundles()).extracting("trustDomain", "reason")
            .containsExactlyInAnyOrder(tuple("spiffe://partner.example", Reason.DUPLICATE_TRUST_DOMAIN),
                    tuple("spiffe://partner.example/any/path", Reason.DUPLICATE_TRUST_DOMAIN));
    }

    @Test
    void forgetsAFederatedBundleThatTurnsBadInsteadOfTrustingItsOldAuthorities() {
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        agent.identity(ID).federateWith(partner).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        agent.serveFederatedBundle("spiffe://partner.example", NOT_DER);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> source.current().bundles().forTrustDomain(PARTNER).isEmpty());
        agent.serveFederatedBundle("spiffe://partner.example", null);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> source.current().bundles().forTrustDomain(PARTNER).equals(java.util.Optional.of(partner.bundle())));
        assertThat(source.getRejectedFederatedBundles()).isEmpty();
    }

    @Test
    void stillRejectsTheWholeUpdateWhenItsOwnTrustDomainsBundleIsBad() {
        agent.identity(ID).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        TestSvid good = agent.currentSvid();
        agent.serveOwnBundle(new byte[0]).rotate();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> String.valueOf(source.getLastError()).contains("the bundle of example.org is empty"));
        agent.serveOwnBundle(NOT_DER).rotate();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> String.valueOf(source.getLastError()).contains("the bundle of example.org is malformed"));
        assertThat(source.current().svid().leaf()).isEqualTo(good.leaf());

        agent.serveOwnBundle(null);
        TestSvid next = agent.rotate();
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().svid().leaf().equals(next.leaf()));
    }

    @Test
    void logsAndCountsEachDroppedFederatedBundleOncePerChange(CapturedOutput output) {
        agent.identity(ID).serveFederatedBundle("spiffe://broken.example", NOT_DER).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new SpiffeMetrics(source, Clock.systemUTC(), Set.of()).bindTo(registry);
        String dropped = "Dropped the federated X.509 bundle \"spiffe://broken.example\"";
        // Dropped at startup, before the meters were bound: counted all the same.
        assertThat(rejections(registry, Reason.MALFORMED)).isEqualTo(1);
        assertThat(registry.get("spiffe.federated.bundles.rejected").gauge().value()).isEqualTo(1);
        assertThat(output.getAll()).containsOnlyOnce(dropped);

        agent.rotate();
        TestSvid next = agent.rotate();
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().svid().leaf().equals(next.leaf()));
        assertThat(rejections(registry, Reason.MALFORMED)).isEqualTo(1);
        assertThat(output.getAll()).containsOnlyOnce(dropped);

        agent.serveFederatedBundle("spiffe://broken.example", new byte[0]);
        await().atMost(Duration.ofSeconds(5)).until(() -> rejections(registry, Reason.EMPTY) == 1);
        assertThat(output.getAll().split(dropped, -1)).hasSize(3);
        assertThat(registry.get("spiffe.federated.bundles.rejected").gauge().value()).isEqualTo(1);

        TestCertificateAuthority repaired = TestCertificateAuthority.create("broken.example");
        agent.serveFederatedBundle("spiffe://broken.example", der(repaired));
        await().atMost(Duration.ofSeconds(5))
            .until(() -> registry.get("spiffe.federated.bundles.rejected").gauge().value() == 0);
        assertThat(source.current().bundles().forTrustDomain(new TrustDomain("broken.example")))
            .contains(repaired.bundle());
        assertThat(rejections(registry, Reason.MALFORMED) + rejections(registry, Reason.EMPTY)).isEqualTo(2);
        assertThat(output.getAll()).contains("The federated X.509 bundle \"spiffe://broken.example\" is usable again");
    }

    @Test
    void logsEachChangeOfATrustBundleOnceWithItsAuthorityCountButNotAnSvidRotation(CapturedOutput output) {
        agent.identity(ID).start();
        source = start(agent.socketAddress(), Duration.ofSeconds(10));
        // A CA rotation as SPIRE does it: the next CA joins the bundle before it signs anything.
        TestCertificateAuthority nextCa = TestCertificateAuthority.create("example.org");
        byte[] current = der(agent.authority());
        byte[] next = der(nextCa);
        byte[] both = new byte[current.length + next.length];
        System.arraycopy(current, 0, both, 0, current.length);
        System.arraycopy(next, 0, both, current.length, next.length);
        agent.serveOwnBundle(both);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> source.current().bundles().forTrustDomain(OWN).orElseThrow().size() == 2);
        String changed = "The X.509 bundle of trust domain example.org changed: 2 authorities (was 1)";
        assertThat(output.getAll()).containsOnlyOnce(changed);

        TestSvid rotated = agent.rotate();
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().svid().leaf().equals(rotated.leaf()));
        assertThat(output.getAll()).containsOnlyOnce(changed).doesNotContain("partner.example");

        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        agent.federateWith(partner);
        await().atMost(Duration.ofSeconds(5)).until(() -> source.current().bundles().forTrustDomain(PARTNER).isPresent());
        assertThat(output.getAll()).containsOnlyOnce("The X.509 bundle of trust domain partner.example is now trusted: 1 authority");
    }

    private static double rejections(SimpleMeterRegistry registry, Reason reason) {
        Counter counter = registry.find("spiffe.federated.bundles.rejections").tag("reason", reason.name()).counter();
        return (counter != null) ? counter.count() : 0;
    }

    private static byte[] der(TestCertificateAuthority authority) {
        try {
            return authority.certificate().getEncoded();
        }
        catch (CertificateEncodingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static WorkloadApiX509Source start(String address, Duration timeout) {
        return WorkloadApiX509Source.start(WorkloadApiAddress.parse(address),
                new WorkloadApiX509Source.Options(timeout, Duration.ofMillis(50), Duration.ofMillis(500)));
    }
}
