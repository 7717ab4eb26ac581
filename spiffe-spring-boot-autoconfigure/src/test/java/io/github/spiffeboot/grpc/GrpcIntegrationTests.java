package io.github.spiffeboot.grpc;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;
import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestGrpcChannel;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.EchoApplication.RecordedRejections;
import io.github.spiffeboot.testapp.GrpcPaymentsApplication;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static io.github.spiffeboot.testapp.GrpcPaymentsApplication.LEDGER;
import static io.github.spiffeboot.testapp.GrpcPaymentsApplication.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * gRPC services on SPIFFE identities: Boot's gRPC server (no web server) on the {@code spiffe} bundle,
 * called over real mTLS by gRPC clients as various SPIFFE IDs, with {@code grpc-method} rules in
 * {@code spiffe.authz}. The starter's own gRPC channels run on the engine {@link #channelEngine()} names:
 * BoringSSL here ({@code auto}, grpc-netty-shaded's copy loads on this machine), the JDK's TLS in
 * {@link GrpcIntegrationTestsOnJdkTls}. The server runs on the engine {@link #serverEngine()} names: BoringSSL
 * here, the JDK's TLS in {@link GrpcIntegrationTestsOnJdkServer} (a JVM of its own: that choice is per JVM).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class GrpcIntegrationTests {

    static final String PAYMENT = "spiffe://example.org/ns/production/sa/payment-service";

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String SUBSCRIPTION = "spiffe://example.org/ns/production/sa/subscription-service";

    static final String OPS = "spiffe://example.org/ns/ops/sa/settlement-job";

    final TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");

    final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    ConfigurableApplicationContext app;

    int port;

    /** {@code spiffe.grpc.client.tls-engine} of the suite's client application. */
    protected String channelEngine() {
        return "auto";
    }

    /** Whether {@link #channelEngine()} means BoringSSL in this JVM. */
    private boolean channelsOnBoringSsl() {
        return !"jdk".equals(channelEngine()) && GrpcBoringSsl.shaded().available();
    }

    /** {@code spiffe.grpc.server.tls-engine} of the suite's server. */
    protected String serverEngine() {
        return "auto";
    }

    /** Whether {@link #serverEngine()} means BoringSSL in this JVM. */
    private boolean serverOnBoringSsl() {
        return !"jdk".equals(serverEngine()) && GrpcBoringSsl.shaded().available();
    }

    @BeforeAll
    void start() {
        agent.identity(PAYMENT).federateWith(partner).start();
        app = payments(agent).properties("spiffe.grpc.server.tls-engine=" + serverEngine()).run();
        port = app.getBean(GrpcPaymentsApplication.GrpcPort.class).get();
    }

    @AfterAll
    void stop() {
        app.close();
        agent.close();
    }

    @Test
    void allowedCallersGetThroughOverMtls() {
        assertThat(call(ORDER, "Charge", "10")).isEqualTo("charged 10");
        assertThat(call(SUBSCRIPTION, "Charge", "10")).isEqualTo("charged 10");
        assertThat(call(ORDER, "Refund", "10")).isEqualTo("refunded 10");
    }

    @Test
    void aKnownCallerNotOnTheListGetsPermissionDenied() {
        assertThat(statusOf(SUBSCRIPTION, "Refund")).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aMethodNoRuleNamesIsDeniedByDefault() {
        assertThat(statusOf(ORDER, "Void")).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void anUnknownMethodIsUnimplementedAndTheServerKeepsServing() {
        assertThat(statusOf(ORDER, "NoSuchMethod")).isEqualTo(Status.Code.UNIMPLEMENTED);
        try (TestGrpcChannel channel = agent.client(ORDER).grpc(port)) {
            assertThatThrownBy(() -> channel.call("no.such.Service/Method", "x"))
                .satisfies(ex -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        }
        assertThat(call(ORDER, "Charge", "1")).isEqualTo("charged 1");
    }

    @Test
    void malformedPathsNeverReachTheRefundAndTheServerKeepsServing() {
        // subscription-service may charge but not refund: no spelling of :path gets it a refund.
        List<String> spellings = List.of(SERVICE + "/Refund/", SERVICE + "//Refund", "/" + SERVICE + "/Refund",
                SERVICE + "/Charge/../Refund", SERVICE + "/./Refund", SERVICE + "/Refund?x=1", SERVICE + "/Refund#x",
                SERVICE + "/Re%66und", SERVICE + "%2FRefund", SERVICE.toLowerCase() + "/refund", SERVICE + "/REFUND",
                SERVICE + "/Refund%00", SERVICE + "/Refund;x", SERVICE + "/Refund ", " " + SERVICE + "/Refund",
                SERVICE + "/Ｒefund", "", "/", SERVICE, SERVICE + "/", "x".repeat(10_000));
        try (TestGrpcChannel channel = agent.client(SUBSCRIPTION).grpc(port)) {
            for (String spelling : spellings) {
                String outcome;
                try {
                    outcome = "answered " + channel.call(spelling, "1");
                }
                catch (StatusRuntimeException ex) {
                    outcome = ex.getStatus().getCode().name();
                }
                catch (RuntimeException refusedByTheClient) {
                    outcome = "not sent: " + refusedByTheClient.getClass().getSimpleName();
                }
                assertThat(outcome).as(spelling.length() > 100 ? "a 10,000-character method" : spelling)
                    .doesNotContain("refunded")
                    .satisfiesAnyOf(o -> assertThat(o).isIn("UNIMPLEMENTED", "PERMISSION_DENIED", "INTERNAL"),
                            o -> assertThat(o).startsWith("not sent"));
            }
        }
        assertThat(call(SUBSCRIPTION, "Charge", "1")).isEqualTo("charged 1");
        assertThat(statusOf(SUBSCRIPTION, "Refund")).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aClientWithoutCertificateIsRefusedInTheHandshakeAndTheServerKeepsServing() {
        try (TestGrpcChannel channel = agent.anonymousClient().grpc(port)) {
            assertThatThrownBy(() -> channel.call(SERVICE + "/Charge", "1"))
                .satisfies(ex -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
        assertThat(call(ORDER, "Charge", "1")).isEqualTo("charged 1");
    }

    @Test
    void aCallerFromAnUnknownTrustDomainIsRefusedAndTheServerKeepsServing() {
        TestCertificateAuthority foreign = TestCertificateAuthority.create("evil.example");
        // Even an ID of our own trust domain, when a foreign CA signed it.
        for (TestSvid svid : List.of(foreign.issue("spiffe://evil.example/ns/production/sa/order-service",
                Duration.ofHours(1)), foreign.issue(ORDER, Duration.ofHours(1)))) {
            SpiffeTestClient client = SpiffeTestClient.withSvid(svid, agent.trustedAuthorities());
            try (TestGrpcChannel channel = client.grpc(port)) {
                assertThatThrownBy(() -> channel.call(SERVICE + "/Charge", "1")).satisfies(
                        ex -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            }
        }
        assertThat(call(ORDER, "Charge", "1")).isEqualTo("charged 1");
    }

    @Test
    void theServerPresentsItsSvid() {
        try (TestGrpcChannel channel = agent.client(ORDER).grpc(port)) {
            channel.call(SERVICE + "/Charge", "1");
            assertThat(channel.lastServerChain()[0]).isEqualTo(agent.currentSvid().leaf());
        }
    }

    @Test
    void serviceCodeSeesTheCallerAsTheSameAuthenticationAsOverHttp() {
        assertThat(call(OPS, "Whoami", "")).startsWith(OPS + " ")
            .contains("SPIFFE_ID:" + OPS)
            .contains("SPIFFE_TRUST_DOMAIN:example.org")
            .contains("ROLE_PAYMENT_ADMIN");
    }

    @Test
    void allowedCallersOnMethodsTheServiceCallsAnswerPermissionDenied() {
        assertThat(call(ORDER, "Receipt", "p-1")).isEqualTo("receipt p-1");
        assertThat(statusOf(OPS, "Receipt")).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void methodSecurityOnTheGrpcServiceItsMethodsAnswersPermissionDenied() {
        // The rule lets the whole trust domain in; the annotations on the service's own methods narrow it.
        assertThat(ledgerCall(ORDER, "Balance")).isEqualTo("balance of a-1");
        assertThat(ledgerStatusOf(SUBSCRIPTION, "Balance")).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(ledgerCall(OPS, "Close")).isEqualTo("closed a-1");
        assertThat(ledgerStatusOf(ORDER, "Close")).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(AopUtils.isAopProxy(app.getBean(GrpcPaymentsApplication.LedgerService.class))).isTrue();
    }

    private String ledgerCall(String caller, String method) {
        try (TestGrpcChannel channel = agent.client(caller).grpc(port)) {
            return channel.call(LEDGER + "/" + method, "a-1");
        }
    }

    private Status.Code ledgerStatusOf(String caller, String method) {
        try {
            ledgerCall(caller, method);
            return Status.Code.OK;
        }
        catch (StatusRuntimeException ex) {
            return ex.getStatus().getCode();
        }
    }

    @Test
    void everyDenialIsAuditedWithTheSameLineAndTransportGrpc(CapturedOutput output) {
        statusOf(SUBSCRIPTION, "Refund");
        assertThat(output).contains("spiffe-authz outcome=DENY caller=\"" + SUBSCRIPTION + "\" method=\"POST\" path=\"/"
                + SERVICE + "/Refund\" rule=\"refund\" reason=\"caller is not on the allowlist\" transport=\"grpc\""
                + " credential=x509-svid");
    }

    @Test
    void decisionsAreCountedWithTransportGrpc() {
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        double before = denials(meters);
        statusOf(SUBSCRIPTION, "Refund");
        assertThat(denials(meters)).isEqualTo(before + 1);
    }

    private static double denials(MeterRegistry meters) {
        var counter = meters.find("spiffe.authz.decisions")
            .tags("outcome", "DENY", "rule", "refund", "transport", "grpc")
            .counter();
        return (counter != null) ? counter.count() : 0;
    }

    @Test
    void aRuleInDryRunLogsButLetsThrough(CapturedOutput output) {
        assertThat(call(SUBSCRIPTION, "Trial", "5")).isEqualTo("charged 5");
        assertThat(output).contains("spiffe-authz outcome=DRY_RUN_DENY caller=\"" + SUBSCRIPTION + "\" method=\"POST\" path=\"/"
                + SERVICE + "/Trial\" rule=\"trial\"");
    }

    @Test
    void aStreamIsAuthorizedOnceBeforeItsFirstMessage(CapturedOutput output) throws Exception {
        try (TestGrpcChannel channel = agent.client(ORDER).grpc(port)) {
            Stream stream = Stream.open(channel);
            for (int i = 0; i < 3; i++) {
                assertThat(stream.send("m" + i)).startsWith("m" + i + " from " + ORDER);
            }
            stream.finish();
        }
        assertThat(output.toString().split("path=\"/" + SERVICE + "/Echo\"", -1)).hasSize(1);
        try (TestGrpcChannel channel = agent.client(SUBSCRIPTION).grpc(port)) {
            Stream stream = Stream.open(channel);
            stream.call.sendMessage("m");
            assertThat(stream.closed.poll(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(stream.received).isEmpty();
        }
    }

    @Test
    void aRotatedSvidServesNewConnectionsWhileOpenStreamsGoOn() throws Exception {
        try (TestGrpcChannel old = agent.client(ORDER).grpc(port)) {
            Stream stream = Stream.open(old);
            assertThat(stream.send("before")).startsWith("before from " + ORDER);
            X509Certificate before = old.lastServerChain()[0];
            TestSvid rotated = agent.rotate();
            assertThat(rotated.leaf()).isNotEqualTo(before);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            X509Certificate served = null;
            while (System.nanoTime() < deadline) {
                try (TestGrpcChannel fresh = agent.client(ORDER).grpc(port)) {
                    fresh.call(SERVICE + "/Charge", "1");
                    served = fresh.lastServerChain()[0];
                }
                if (served.equals(rotated.leaf())) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(served).isEqualTo(rotated.leaf());
            // The stream opened before the rotation is still up, on its connection of before.
            assertThat(stream.send("after")).startsWith("after from " + ORDER);
            assertThat(old.lastServerChain()[0]).isEqualTo(before);
            stream.finish();
        }
    }

    @Test
    void theServerLogsTheEngineItHandshakesWith(CapturedOutput output) {
        try (ConfigurableApplicationContext another = payments(agent)
            .properties("spiffe.grpc.server.tls-engine=" + serverEngine())
            .run()) {
            assertThat(output).contains(serverOnBoringSsl()
                    ? "Boot's gRPC server handshakes with BoringSSL (BoringSSL, spiffe.grpc.server.tls-engine=auto)"
                    : "Boot's gRPC server handshakes with the JDK's TLS (spiffe.grpc.server.tls-engine=jdk)");
        }
    }

    @Test
    void theServerHandshakesOnItsEngineInTls13() {
        assertThat(call(ORDER, "Charge", "1")).isEqualTo("charged 1");
        javax.net.ssl.SSLSession session = app.getBean(GrpcPaymentsApplication.ServerTlsSessions.class).last();
        assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
        // BoringSSL's sessions are Netty's OpenSsl* classes; JSSE's are the JDK's own.
        assertThat(session.getClass().getName().contains("OpenSsl")).as(session.getClass().getName())
            .isEqualTo(serverOnBoringSsl());
    }

    @Test
    void aServerEngineThisJvmCannotGiveStopsTheStartSayingWhy(CapturedOutput output) {
        // grpc-netty-shaded loaded its BoringSSL with this suite's first application: too late to switch it off.
        assertThat(GrpcBoringSsl.shaded().available()).isTrue();
        try {
            assertThatThrownBy(() -> payments(agent).properties("spiffe.grpc.server.tls-engine=jdk").run())
                .hasStackTraceContaining("spiffe.grpc.server.tls-engine=jdk cannot be honoured")
                .hasStackTraceContaining("before this application could switch it off")
                .hasStackTraceContaining("Start the JVM with -D" + GrpcServerTlsEngine.BORINGSSL_OFF + "=true");
        }
        finally {
            // The switch the failed start set has no effect in this JVM any more; it must not linger either.
            System.clearProperty(GrpcServerTlsEngine.BORINGSSL_OFF);
        }
    }

    @Test
    void opensslChannelsBesideAJdkServerStopTheStartNamingTheProperty(CapturedOutput output) {
        try {
            assertThatThrownBy(() -> payments(agent)
                .properties("spiffe.grpc.server.tls-engine=jdk", "spiffe.grpc.client.tls-engine=openssl")
                .run()).hasStackTraceContaining("spiffe.grpc.client.tls-engine")
                .hasStackTraceContaining("openssl cannot be used with spiffe.grpc.server.tls-engine=jdk");
        }
        finally {
            if (serverOnBoringSsl()) {
                System.clearProperty(GrpcServerTlsEngine.BORINGSSL_OFF);
            }
        }
    }

    @Test
    void aGrpcServerTheApplicationRunsWithoutTlsIsSaidLoudlyAndServesNoCall(CapturedOutput output)
            throws Exception {
        try (ConfigurableApplicationContext plaintext = payments(agent)
            .properties("spring.grpc.server.ssl.enabled=false")
            .run()) {
            assertThat(output).contains("Boot's gRPC server serves without TLS");
            io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder
                .forAddress("localhost", plaintext.getBean(GrpcPaymentsApplication.GrpcPort.class).get())
                .usePlaintext()
                .build();
            try {
                assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel,
                        TestGrpcChannel.textMethod(SERVICE + "/Whoami", MethodType.UNARY),
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "1"))
                    .satisfies(ex -> assertThat(Status.fromThrowable(ex).getCode())
                        .isEqualTo(Status.Code.UNAUTHENTICATED));
            }
            finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBadGrpcMethodStopsTheStartNamingTheProperty(CapturedOutput output) {
        assertThatThrownBy(() -> payments(agent)
            .properties("spiffe.authz.allowed-callers[0].grpc-method=payments.v1.Payments/Ch*")
            .run()).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Property: spiffe.authz.allowed-callers[0].grpc-method")
            .contains("must be a full method name 'package.Service/Method' or 'package.Service/*'");
    }

    @Test
    void aRuleNamingBothAGrpcMethodAndAPathStopsTheStart(CapturedOutput output) {
        assertThatThrownBy(() -> payments(agent).properties("spiffe.authz.allowed-callers[0].path=/api/charge")
            .run()).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Property: spiffe.authz.allowed-callers[0].grpc-method")
            .contains("either a gRPC method or a path");
    }

    /**
     * The server suites' hostile-certificate table against the gRPC server: each is refused in the handshake
     * with the reason the SPIFFE trust manager gives, on whichever engine the server runs, and the server goes
     * on serving.
     */
    @Nested
    class HostileCallers {

        final RecordedRejections rejections = app.getBean(RecordedRejections.class);

        @BeforeEach
        void forgetRejections() {
            rejections.clear();
        }

        @Test
        void aCallerSignedByAForeignAuthorityIsRefused() {
            TestCertificateAuthority foreign = TestCertificateAuthority.create("example.org");
            assertRefused(foreign.issue(ORDER, Duration.ofMinutes(5)), Reason.UNTRUSTED_CHAIN, "does not verify");
        }

        @Test
        void aFederatedAuthorityMintingOurTrustDomainsIdsIsRefused() {
            assertRefused(partner.issue(ORDER, Duration.ofMinutes(5)), Reason.UNTRUSTED_CHAIN, "does not verify");
        }

        @Test
        void aFederatedPeerIsRefusedUnlessTheBundleExpectsIt() {
            // The spiffe bundle's peers are its own trust domain's unless spiffe.ssl-bundle.expected-peer-ids
            // names others, and Boot's gRPC server verifies callers with that bundle.
            assertRefused(partner.issue("spiffe://partner.example/billing", Duration.ofMinutes(5)),
                    Reason.ID_NOT_ACCEPTED, "spiffe://partner.example/billing");
        }

        @Test
        void anSvidWithTwoUriSansIsRefused() {
            assertRefused(agent.authority().issue(SvidSpec.forId(ORDER).addUri("spiffe://example.org/other")),
                    Reason.INVALID_SVID, "more than one URI SAN");
        }

        @Test
        void aCertificateThatIsACaIsRefused() {
            assertRefused(agent.authority().issue(SvidSpec.forId(ORDER).ca(true)), Reason.INVALID_SVID, "CA flag");
        }

        @Test
        void anExpiredSvidIsRefused() {
            Instant now = Instant.now();
            assertRefused(agent.authority().issue(SvidSpec.forId(ORDER).validity(now.minusSeconds(600),
                    now.minusSeconds(5))), Reason.UNTRUSTED_CHAIN, "does not verify");
        }

        @Test
        void aCertificateWithANonSpiffeUriIsRefused() {
            assertRefused(agent.authority().issue(SvidSpec.forId("https://example.org/order-service")),
                    Reason.INVALID_SVID, "scheme is missing or invalid");
        }

        @Test
        void aCertificateWithoutUriIsRefused() {
            assertRefused(agent.authority().issue(SvidSpec.withoutUri()), Reason.INVALID_SVID, "no URI SAN");
        }

        @Test
        void everyCallOnATls12ConnectionIsRefusedAndAudited(CapturedOutput output) {
            // Boot's gRPC server negotiates TLS 1.2 (gRPC's defaults, which the starter cannot narrow there):
            // the caller's valid SVID gets no call through on it.
            try (TestGrpcChannel channel = agent.client(ORDER).protocols("TLSv1.2").grpc(port)) {
                for (String method : List.of("Charge", "Whoami")) {
                    assertThatThrownBy(() -> channel.call(SERVICE + "/" + method, "1")).satisfies(ex -> {
                        assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                        assertThat(Status.fromThrowable(ex).getDescription()).isEqualTo("TLSv1.2 is not accepted");
                    });
                }
            }
            assertThat(output).contains("the connection is TLSv1.2, not one of [TLSv1.3] (spiffe.server.tls-versions)");
            assertThat(call(ORDER, "Charge", "1")).isEqualTo("charged 1");
        }

        @Test
        void tls12CallsGetThroughWhereTheTlsVersionsListIt() {
            try (ConfigurableApplicationContext withTls12 = payments(agent)
                .properties("spiffe.grpc.server.tls-engine=" + serverEngine(), "spiffe.server.tls-versions=TLSv1.2,TLSv1.3")
                .run(); TestGrpcChannel channel = agent.client(ORDER).protocols("TLSv1.2").grpc(
                        withTls12.getBean(GrpcPaymentsApplication.GrpcPort.class).get())) {
                assertThat(channel.call(SERVICE + "/Charge", "1")).isEqualTo("charged 1");
                assertThat(withTls12.getBean(GrpcPaymentsApplication.ServerTlsSessions.class).last().getProtocol())
                    .isEqualTo("TLSv1.2");
            }
        }

        /**
         * A client that keeps its TLS sessions may resume one on a new connection, and Boot's server resumes
         * (on either engine). Resumed or not, once the caller's SVID has expired no call gets through: each
         * call verifies the caller's chain again against the current bundles and time.
         */
        @Test
        void aSessionFromBeforeTheCallersExpiryNeverStandsInForItAfterwards() throws Exception {
            TestSvid shortLived = agent.authority().issue(ORDER, Duration.ofSeconds(6));
            var keepsSessions = sessionKeepingClient(shortLived);
            assertThat(callOnANewConnection(keepsSessions, port, SERVICE + "/Charge")).isEqualTo(Status.Code.OK);
            Thread.sleep(shortLived.leaf().getNotAfter().getTime() - System.currentTimeMillis() + 1500);
            for (int i = 0; i < 3; i++) {
                Status.Code afterExpiry = callOnANewConnection(keepsSessions, port, SERVICE + "/Charge");
                if (serverOnBoringSsl()) {
                    // The handshake let the expired SVID through, which only a resumed session does; the call
                    // still found no valid caller.
                    assertThat(afterExpiry).isEqualTo(Status.Code.UNAUTHENTICATED);
                }
                else {
                    // The JDK's server (or client) may not resume; a full handshake refuses the expired SVID.
                    assertThat(afterExpiry).isIn(Status.Code.UNAVAILABLE, Status.Code.UNAUTHENTICATED);
                }
            }
            assertThat(call(ORDER, "Charge", "1")).isEqualTo("charged 1");
        }

        private void assertRefused(TestSvid caller, Reason reason, String message) {
            try (TestGrpcChannel channel = SpiffeTestClient.withSvid(caller, agent.trustedAuthorities()).grpc(port)) {
                assertThatThrownBy(() -> channel.call(SERVICE + "/Charge", "1")).satisfies(
                        ex -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> !rejections.all().isEmpty());
            // One per handshake the channel tried (it may retry before it gives up), each for this reason.
            List<SvidVerificationException> seen = rejections.all();
            assertThat(seen).isNotEmpty().allSatisfy(rejection -> {
                assertThat(rejection.getReason()).isEqualTo(reason);
                assertThat(rejection).hasMessageContaining(message);
            });
            assertThat(call(ORDER, "Charge", "1")).isEqualTo("charged 1");
        }
    }

    /** With client certificates optional at the TLS layer, a call without an SVID is UNAUTHENTICATED. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ClientCertificatesOptional {

        ConfigurableApplicationContext optional;

        int optionalPort;

        @BeforeAll
        void start() {
            optional = payments(agent).properties("spring.grpc.server.ssl.client-auth=optional").run();
            optionalPort = optional.getBean(GrpcPaymentsApplication.GrpcPort.class).get();
        }

        @AfterAll
        void stop() {
            optional.close();
        }

        @Test
        void aCallWithoutSvidIsUnauthenticated(CapturedOutput output) {
            try (TestGrpcChannel channel = agent.anonymousClient().grpc(optionalPort)) {
                assertThatThrownBy(() -> channel.call(SERVICE + "/Charge", "1")).satisfies(
                        ex -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            }
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"-\" method=\"POST\" path=\"/" + SERVICE
                    + "/Charge\" rule=\"default\" reason=\"no SPIFFE identity\" transport=\"grpc\"");
            try (TestGrpcChannel channel = agent.client(ORDER).grpc(optionalPort)) {
                assertThat(channel.call(SERVICE + "/Charge", "1")).isEqualTo("charged 1");
            }
        }
    }

    /**
     * Channels from Boot's GrpcChannelFactory, named like a server in spiffe.client.servers, present the SVID
     * and check the server's SPIFFE ID; other channels keep Boot's (here plaintext) credentials.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Clients {

        final TestWorkloadApi orderAgent = TestWorkloadApi.create(agent.authority());

        ConfigurableApplicationContext client;

        TicketIssuingGrpcServer ticketing;

        @BeforeAll
        void start() {
            orderAgent.identity(ORDER).start();
            ticketing = new TicketIssuingGrpcServer(agent.authority().issue(PAYMENT, Duration.ofHours(1)),
                    agent.authority().bundle());
            client = new SpringApplicationBuilder(GrpcPaymentsApplication.class).properties(
                    "spiffe.grpc.client.tls-engine=" + channelEngine(),
                    "spring.grpc.client.channel.ticketing.target=localhost:" + ticketing.port(),
                    "spiffe.client.servers.ticketing.ids=" + PAYMENT,
                    "spring.main.banner-mode=off", "spring.main.web-application-type=none",
                    "spring.grpc.server.enabled=false", "spiffe.workload-api.socket=" + orderAgent.socketAddress(),
                    "spring.grpc.client.channel.payments.target=localhost:" + port,
                    "spiffe.client.servers.payments.ids=" + PAYMENT,
                    "spring.grpc.client.channel.impostor.target=localhost:" + port,
                    "spiffe.client.servers.impostor.ids=spiffe://example.org/ns/production/sa/other-service",
                    "spring.grpc.client.channel.plain.target=localhost:" + port)
                .run();
        }

        @AfterAll
        void stop() {
            client.close();
            ticketing.close();
            orderAgent.close();
        }

        private String charge(String channelName) {
            return call(channelName, SERVICE + "/Charge");
        }

        /** A call on a new channel, so on a new connection with a handshake of its own. */
        private String call(String channelName, String method) {
            io.grpc.ManagedChannel channel = client.getBean(org.springframework.grpc.client.GrpcChannelFactory.class)
                .createChannel(channelName);
            try {
                return io.grpc.stub.ClientCalls.blockingUnaryCall(channel,
                        TestGrpcChannel.textMethod(method, MethodType.UNARY),
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "7");
            }
            finally {
                channel.shutdownNow();
            }
        }

        @Test
        void everyConnectionToATicketIssuingServerIsAFullHandshake() throws Exception {
            int connectionsBefore = ticketing.connections();
            int fullBefore = ticketing.fullHandshakes();
            for (int i = 0; i < 4; i++) {
                assertThat(call("ticketing", TicketIssuingGrpcServer.CHARGE)).isEqualTo("charged 7");
            }
            assertThat(ticketing.connections() - connectionsBefore).as("connections").isEqualTo(4);
            assertThat(ticketing.fullHandshakes() - fullBefore).as("full handshakes (client certificate verified)")
                .isEqualTo(4);
        }

        @Test
        void theTicketIssuingServerDoesResumeAClientThatKeepsSessions() throws Exception {
            // The control for the test above: gRPC's BoringSSL client with its defaults (one context, its session
            // cache on) does resume against this server, so "4 connections, 4 full handshakes" means something.
            var keepsSessions = sessionKeepingClient(agent.authority().issue(ORDER, Duration.ofHours(1)));
            int connectionsBefore = ticketing.connections();
            int fullBefore = ticketing.fullHandshakes();
            for (int i = 0; i < 4; i++) {
                assertThat(callOnANewConnection(keepsSessions, ticketing.port(), TicketIssuingGrpcServer.CHARGE))
                    .isEqualTo(Status.Code.OK);
            }
            assertThat(ticketing.connections() - connectionsBefore).isEqualTo(4);
            assertThat(ticketing.fullHandshakes() - fullBefore).as("full handshakes").isLessThan(4);
        }

        @Test
        void namedChannelsHandshakeOnTheConfiguredEngine() throws Exception {
            io.grpc.ManagedChannel channel = client.getBean(org.springframework.grpc.client.GrpcChannelFactory.class)
                .createChannel("payments");
            try {
                ClientCall<String, String> call = channel.newCall(
                        TestGrpcChannel.textMethod(SERVICE + "/Charge", MethodType.UNARY),
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
                BlockingQueue<Status> closed = new LinkedBlockingQueue<>();
                call.start(new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        closed.add(status);
                    }
                }, new Metadata());
                call.request(1);
                call.sendMessage("1");
                call.halfClose();
                assertThat(closed.poll(10, TimeUnit.SECONDS)).extracting(Status::getCode).isEqualTo(Status.Code.OK);
                javax.net.ssl.SSLSession session = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION);
                assertThat(session).isNotNull();
                assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
                // BoringSSL's sessions are Netty's OpenSsl* classes; JSSE's are the JDK's own.
                assertThat(session.getClass().getName().contains("OpenSsl")).as(session.getClass().getName())
                    .isEqualTo(channelsOnBoringSsl());
            }
            finally {
                channel.shutdownNow();
            }
        }

        @Test
        void aNamedChannelPresentsTheSvidAndReachesTheServerWithTheExpectedId() {
            assertThat(charge("payments")).isEqualTo("charged 7");
        }

        @Test
        void aNamedChannelRefusesAServerWithAnotherId() {
            assertThatThrownBy(() -> charge("impostor"))
                .satisfies(ex -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }

        @Test
        void otherChannelsKeepBootsCredentials() {
            // Plaintext, as Boot configures a channel without ssl settings: the mTLS server refuses it.
            assertThatThrownBy(() -> charge("plain"))
                .satisfies(ex -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }

    /**
     * gRPC's client TLS with its defaults (one context, its session cache on: it resumes wherever a server lets
     * it) as this SVID, trusting any server: the tests using it look at the server's side only.
     */
    static io.grpc.netty.shaded.io.netty.handler.ssl.SslContext sessionKeepingClient(TestSvid svid)
            throws javax.net.ssl.SSLException {
        return io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient()
            .keyManager(svid.privateKey(), svid.chainArray())
            .trustManager(io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
            .build();
    }

    /** One unary call on a channel of its own (so a connection and a handshake of its own); its status. */
    static Status.Code callOnANewConnection(io.grpc.netty.shaded.io.netty.handler.ssl.SslContext tls, int port,
            String method) throws InterruptedException {
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
            .forAddress("localhost", port)
            .sslContext(tls)
            .build();
        try {
            io.grpc.stub.ClientCalls.blockingUnaryCall(channel, TestGrpcChannel.textMethod(method, MethodType.UNARY),
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "1");
            return Status.Code.OK;
        }
        catch (StatusRuntimeException ex) {
            return ex.getStatus().getCode();
        }
        finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private String call(String caller, String method, String request) {
        try (TestGrpcChannel channel = agent.client(caller).grpc(port)) {
            return channel.call(SERVICE + "/" + method, request);
        }
    }

    private Status.Code statusOf(String caller, String method) {
        try {
            call(caller, method, "1");
            return Status.Code.OK;
        }
        catch (StatusRuntimeException ex) {
            return ex.getStatus().getCode();
        }
    }

    static SpringApplicationBuilder payments(TestWorkloadApi agent) {
        return GrpcPaymentsApplication.builder(agent.socketAddress());
    }

    /** A bidirectional stream of the Echo method: one request, one answer. */
    static final class Stream {

        final ClientCall<String, String> call;

        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        final BlockingQueue<Status> closed = new LinkedBlockingQueue<>();

        private Stream(ClientCall<String, String> call) {
            this.call = call;
        }

        static Stream open(TestGrpcChannel channel) {
            Stream stream = new Stream(channel.newCall(TestGrpcChannel.textMethod(SERVICE + "/Echo",
                    MethodType.BIDI_STREAMING)));
            stream.call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(String message) {
                    stream.received.add(message);
                    stream.call.request(1);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    stream.closed.add(status);
                }
            }, new Metadata());
            stream.call.request(1);
            return stream;
        }

        String send(String message) throws InterruptedException {
            call.sendMessage(message);
            String answer = received.poll(10, TimeUnit.SECONDS);
            assertThat(answer).as("answer to " + message + " (closed: " + closed.peek() + ")").isNotNull();
            return answer;
        }

        void finish() throws InterruptedException {
            call.halfClose();
            assertThat(closed.poll(10, TimeUnit.SECONDS)).extracting(Status::getCode).isEqualTo(Status.Code.OK);
        }
    }
}
