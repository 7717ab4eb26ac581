package io.github.spiffeboot.jwt;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.source.WorkloadApiAddress;
import io.github.spiffeboot.source.WorkloadApiConnectionState;
import io.github.spiffeboot.source.WorkloadApiStartupException;
import io.github.spiffeboot.source.WorkloadApiX509Source;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The JWT source and the JWT-SVID cache against a real gRPC Workload API server on a Unix socket. */
class WorkloadApiJwtSourceIntegrationTests {

    private static final String ID = "spiffe://example.org/ns/production/sa/order-service";

    private static final TrustDomain OWN = new TrustDomain("example.org");

    private final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    private WorkloadApiJwtSource source;

    @AfterEach
    void stop() {
        if (source != null) {
            source.stop();
        }
        agent.close();
    }

    @Test
    void creatingTheSourceConnectsNothingStartingItWaitsForTheBundles() {
        agent.identity(ID).start();
        source = source(Duration.ofSeconds(10));
        assertThat(agent.openJwtBundleStreams()).isZero();
        assertThat(source.isRunning()).isFalse();
        assertThatThrownBy(source::current).isInstanceOf(IllegalStateException.class);
        source.start();
        assertThat(source.isRunning()).isTrue();
        assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.CONNECTED);
        assertThat(source.current().forTrustDomain(OWN).keys())
            .containsOnlyKeys(agent.authority().jwt().signingKey().getKeyID());
        assertThat(agent.openJwtBundleStreams()).isEqualTo(1);
    }

    @Test
    void followsKeyRotationAndRetirementOnTheStream() {
        agent.identity(ID).start();
        source = source(Duration.ofSeconds(10));
        List<JwtBundleSet> updates = new CopyOnWriteArrayList<>();
        source.addListener(updates::add);
        source.start();
        String first = agent.authority().jwt().signingKey().getKeyID();
        agent.rotateJwtKey();
        String second = agent.authority().jwt().signingKey().getKeyID();
        await().untilAsserted(() -> assertThat(source.current().forTrustDomain(OWN).keys()).containsOnlyKeys(first,
                second));
        agent.retireOldJwtKeys();
        await().untilAsserted(() -> assertThat(source.current().forTrustDomain(OWN).keys()).containsOnlyKeys(second));
        assertThat(updates).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void deliversTheJwtBundlesOfFederatedTrustDomains() {
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        agent.identity(ID).federateWith(partner).start();
        source = started(Duration.ofSeconds(10));
        assertThat(source.current().forTrustDomain(new TrustDomain("partner.example")).keys())
            .containsOnlyKeys(partner.jwt().signingKey().getKeyID());
    }

    @Test
    void retriesPermissionDeniedUntilTheEntryHasSynced() {
        agent.identity(ID).denyFor(Duration.ofMillis(700)).start();
        source = started(Duration.ofSeconds(10));
        assertThat(source.current().trustDomains()).contains(OWN);
    }

    @Test
    void invalidArgumentFailsStartupWithoutRetrying() {
        agent.identity(ID).rejectWith(Status.Code.INVALID_ARGUMENT, "security header missing from request").start();
        source = source(Duration.ofSeconds(10));
        assertThatThrownBy(source::start).isInstanceOfSatisfying(WorkloadApiStartupException.class, ex -> {
            assertThat(ex.isRetryable()).isFalse();
            assertThat(ex.getMessage()).contains("INVALID_ARGUMENT");
        });
        assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.CLOSED);
    }

    @Test
    void noAgentFailsStartupAfterTheTimeoutNamingTheMissingSocket() {
        source = source(Duration.ofMillis(1500));
        assertThatThrownBy(source::start).isInstanceOfSatisfying(WorkloadApiStartupException.class, ex -> {
            assertThat(ex.isRetryable()).isTrue();
            assertThat(ex.getMessage()).contains("No JWT bundle").contains("no file exists");
        });
    }

    @Test
    void keepsTheBundlesThroughAnAgentRestartAndFollowsTheRestartedAgent() {
        agent.identity(ID).start();
        source = started(Duration.ofSeconds(10));
        String before = agent.authority().jwt().signingKey().getKeyID();
        agent.stop();
        await().until(() -> source.getState() == WorkloadApiConnectionState.RECONNECTING);
        assertThat(source.current().forTrustDomain(OWN).keys()).containsOnlyKeys(before);
        agent.rotateJwtKey().retireOldJwtKeys().start();
        String after = agent.authority().jwt().signingKey().getKeyID();
        await().atMost(Duration.ofSeconds(15))
            .untilAsserted(() -> assertThat(source.current().forTrustDomain(OWN).keys()).containsOnlyKeys(after));
        assertThat(source.getState()).isEqualTo(WorkloadApiConnectionState.CONNECTED);
    }

    @Test
    void fetchesAJwtSvidForTheAudiencesThatVerifiesAgainstTheBundles() {
        agent.identity(ID).start();
        source = started(Duration.ofSeconds(10));
        JwtSvid svid = source.fetch(Set.of("payment-service"));
        assertThat(svid.id()).hasToString(ID);
        assertThat(svid.audiences()).containsExactly("payment-service");
        ValidatedJwtSvid validated = new JwtSvidValidator(source, List.of("payment-service"), Duration.ofSeconds(5),
                8192, Clock.systemUTC()).validate(svid.token());
        assertThat(validated.id()).hasToString(ID);
    }

    @Test
    void handsOutOneCachedJwtSvidPerAudienceAndRenewsItPastHalfItsLifetimeWithoutWaiting() {
        agent.identity(ID).jwtSvidTtl(Duration.ofSeconds(8)).start();
        source = started(Duration.ofSeconds(10));
        JwtSvids svids = new JwtSvids(source, Executors.newSingleThreadExecutor(), Clock.systemUTC());
        String first = svids.token("payment-service");
        for (int i = 0; i < 100; i++) {
            assertThat(svids.token("payment-service")).isEqualTo(first);
        }
        assertThat(agent.jwtSvidRequestCount()).isEqualTo(1);
        String other = svids.token("audit-service");
        assertThat(other).isNotEqualTo(first);
        assertThat(agent.jwtSvidRequestCount()).isEqualTo(2);
        // Past half of the 8 s lifetime the cached token is still handed out while a renewal runs.
        await().pollDelay(Duration.ofMillis(4200)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
            svids.token("payment-service");
            assertThat(svids.token("payment-service")).isNotEqualTo(first);
        });
        assertThat(agent.jwtSvidRequestCount()).isEqualTo(3);
    }

    @Test
    void noJwtSvidWhileTheAgentHasNoIdentityIsAClearError() {
        agent.identity(ID).start();
        source = started(Duration.ofSeconds(10));
        agent.clearIdentity();
        JwtSvids svids = new JwtSvids(source, Runnable::run, Clock.systemUTC());
        assertThatThrownBy(() -> svids.token("payment-service")).isInstanceOf(JwtSvidUnavailableException.class)
            .hasMessageContaining("PERMISSION_DENIED");
    }

    private WorkloadApiJwtSource started(Duration timeout) {
        WorkloadApiJwtSource started = source(timeout);
        started.start();
        return started;
    }

    private WorkloadApiJwtSource source(Duration timeout) {
        return new WorkloadApiJwtSource(() -> WorkloadApiAddress.parse(agent.socketAddress()),
                new WorkloadApiX509Source.Options(timeout, Duration.ofMillis(100), Duration.ofSeconds(1)),
                Duration.ofSeconds(5), Clock.systemUTC());
    }
}
