package io.github.spiffeboot.security;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.jwt.JwtBundleSource;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestGrpcChannel;
import io.github.spiffeboot.test.TestJwtAuthority;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.GrpcPaymentsApplication;
import io.github.spiffeboot.testapp.ReactivePaymentsApplication;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static io.github.spiffeboot.security.AuthorizationIntegrationTests.ORDER;
import static io.github.spiffeboot.security.AuthorizationIntegrationTests.OPS;
import static io.github.spiffeboot.security.AuthorizationIntegrationTests.SUBSCRIPTION;
import static io.github.spiffeboot.security.AuthorizationIntegrationTests.payments;
import static io.github.spiffeboot.security.AuthorizationIntegrationTests.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * JWT-SVIDs at the payments application (rules in {@code application-payments.yml}), through real TLS
 * connections: a trusted gateway forwards callers' tokens, any other TLS peer is the caller itself, a
 * JWT-only service takes the caller from the token alone, and hostile tokens get a 401 and an audit line;
 * on Spring MVC, on WebFlux ({@link OnWebFlux}) and on Boot's gRPC server ({@link OnGrpc}) alike.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class JwtSvidAuthenticationIntegrationTests {

    static final String PAYMENT = "spiffe://example.org/ns/production/sa/payment-service";

    static final String GATEWAY = "spiffe://example.org/ns/edge/sa/gateway";

    static final String PARTNER_CALLER = "spiffe://partner.example/ns/shop/sa/checkout";

    final TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");

    final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    ConfigurableApplicationContext app;

    int port;

    /** Applications besides {@link #app} that must see a JWT key rotation before a test relies on it. */
    final List<ConfigurableApplicationContext> watching = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    void start() {
        agent.identity(PAYMENT).federateWith(partner).start();
        app = payments(agent).properties("spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + PAYMENT,
                "spiffe.jwt.trusted-proxies=" + GATEWAY, "spiffe.jwt.clock-skew=PT5S",
                // Tomcat would answer 400 to a 64 KB header itself; let it through to show the starter refuses it.
                "server.max-http-request-header-size=160KB")
            .run();
        port = port(app);
    }

    @AfterAll
    void stop() {
        app.close();
        agent.close();
    }

    @Test
    void aTrustedGatewayForwardingACallersJwtSvidCallsAsThatCaller() throws IOException {
        TestHttpResponse me = agent.client(GATEWAY).bearer(agent.jwtSvid(OPS, PAYMENT)).get(port, "/api/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.body()).contains("\"name\":\"" + OPS + "\"")
            .contains("\"principalType\":\"SpiffeId\"")
            .contains("\"SPIFFE_ID:" + OPS + "\"")
            .contains("\"SPIFFE_TRUST_DOMAIN:example.org\"")
            .contains("\"ROLE_PAYMENT_ADMIN\"");
        assertThat(agent.client(GATEWAY).bearer(agent.jwtSvid(ORDER, PAYMENT)).post(port, "/api/payments/charge", "{}")
            .body()).isEqualTo("charged");
    }

    @Test
    void aForwardedCallerMeetsTheSameRulesAndPreAuthorizeChecksAsAnMtlsCaller(CapturedOutput output)
            throws IOException {
        TestHttpResponse refused = agent.client(GATEWAY)
            .bearer(agent.jwtSvid(SUBSCRIPTION, PAYMENT))
            .post(port, "/api/payments/refund", "{}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("\"caller\":\"" + SUBSCRIPTION + "\"");
        assertThat(output).contains("spiffe-authz outcome=DENY caller=\"" + SUBSCRIPTION
                + "\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\" reason=\"caller is not on the allowlist\" transport=\"http\" credential=jwt-svid");
        assertThat(agent.client(GATEWAY).bearer(agent.jwtSvid(ORDER, PAYMENT)).get(port, "/api/payments/7/receipt")
            .body()).isEqualTo("receipt 7");
        assertThat(agent.client(GATEWAY).bearer(agent.jwtSvid(SUBSCRIPTION, PAYMENT))
            .get(port, "/api/payments/7/receipt")
            .status()).isEqualTo(403);
        assertThat(agent.client(GATEWAY).bearer(agent.jwtSvid(OPS, PAYMENT)).get(port, "/api/admin/settlements")
            .body()).isEqualTo("settlements");
    }

    @Test
    void aBearerTokenFromAPeerThatIsNoTrustedProxyIsIgnored(CapturedOutput output) throws IOException {
        // Subscription-service may not refund; a token naming order-service (which may) changes nothing.
        TestHttpResponse response = agent.client(SUBSCRIPTION)
            .bearer(agent.jwtSvid(ORDER, PAYMENT))
            .post(port, "/api/payments/refund", "{}");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).contains("\"caller\":\"" + SUBSCRIPTION + "\"");
        assertThat(output).contains("caller=\"" + SUBSCRIPTION
                + "\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\" reason=\"caller is not on the allowlist\" transport=\"http\" credential=x509-svid");
    }

    @Test
    void aValidJwtSvidWithoutAnyTlsIdentityGrantsNothingToAServiceThatIsNotJwtOnly() throws IOException {
        TestHttpResponse response = agent.anonymousClient().bearer(agent.jwtSvid(ORDER, PAYMENT))
            .post(port, "/api/payments/charge", "{}");
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void aTrustedGatewaysRequestWithoutATokenIsUnauthenticatedNotTheGateways(CapturedOutput output)
            throws IOException {
        TestHttpResponse response = agent.client(GATEWAY).get(port, "/api/me");
        assertThat(response.status()).isEqualTo(401);
        assertThat(output).contains("spiffe-authz outcome=DENY caller=\"-\" method=\"GET\" path=\"/api/me\" "
                + "rule=\"default\" reason=\"no SPIFFE identity: JWT-SVID refused (MISSING)\" transport=\"http\" credential=jwt-svid");
    }

    @Test
    void aCallersTokenIsReusedOnAKeepAliveConnectionAndEachRequestIsDecidedByItsOwnToken() throws IOException {
        try (TestHttpConnection connection = agent.client(GATEWAY).connect(port)) {
            for (String caller : List.of(ORDER, SUBSCRIPTION, ORDER)) {
                TestHttpResponse response = connection.request("POST", "/api/payments/refund", "{}",
                        Map.of("Authorization", "Bearer " + agent.jwtSvid(caller, PAYMENT), "Content-Type",
                                "application/json"));
                assertThat(response.status()).isEqualTo(caller.equals(ORDER) ? 200 : 403);
            }
        }
    }

    @Test
    void twoAuthorizationHeadersAreRefusedWhicheverWouldHaveBeenRead(CapturedOutput output) throws IOException {
        try (TestHttpConnection connection = agent.client(GATEWAY).connect(port)) {
            // The test connection writes header lines as given: this is two Authorization headers on the wire.
            TestHttpResponse response = connection.request("GET", "/api/me", null, Map.of("Authorization",
                    "Bearer " + agent.jwtSvid(OPS, PAYMENT) + "\r\nAuthorization: Bearer " + agent.jwtSvid(ORDER, PAYMENT)));
            assertThat(response.status()).isEqualTo(401);
        }
        assertThat(output).contains("reason=\"no SPIFFE identity: JWT-SVID refused (MALFORMED)\"");
    }

    @Test
    void noResponseOpensASession() throws IOException {
        TestHttpResponse response = agent.client(GATEWAY).bearer(agent.jwtSvid(ORDER, PAYMENT)).get(port, "/api/me");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("set-cookie")).isNull();
    }

    /**
     * Hostile tokens forwarded by the trusted gateway: each is refused with 401 (never a 500, never the
     * gateway's own identity) and one audit line naming the reason.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileTokens")
    void aHostileTokenIsRefusedWith401AndAnAuditLine(String name, String reason,
            Function<JwtSvidAuthenticationIntegrationTests, String> token, CapturedOutput output) throws IOException {
        String path = "/api/files/" + UUID.randomUUID();
        TestHttpResponse response;
        try (TestHttpConnection connection = agent.client(GATEWAY).connect(port)) {
            response = connection.request("GET", path, null, Map.of("Authorization", "Bearer " + token.apply(this)));
        }
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("www-authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
        assertThat(response.body()).contains("\"error\":\"unauthenticated\"");
        assertThat(output).contains("spiffe-authz outcome=DENY caller=\"-\" method=\"GET\" path=\"" + path
                + "\" rule=\"default\" reason=\"no SPIFFE identity: JWT-SVID refused (" + reason + ")\" transport=\"http\" credential=jwt-svid");
    }

    static Stream<Arguments> hostileTokens() {
        return Stream.of(
                row("alg none", "ALGORITHM", t -> new PlainJWT(t.claims(ORDER, PAYMENT).build()).serialize()),
                row("HS256 signed with a bundle public key as the secret", "ALGORITHM", t -> t.hmacWithBundleKey()),
                row("expired", "EXPIRED", t -> t.signed(t.claims(ORDER, PAYMENT)
                    .issueTime(t.ago(Duration.ofMinutes(15)))
                    .expirationTime(t.ago(Duration.ofMinutes(10))))),
                row("not yet valid", "NOT_YET_VALID", t -> t.signed(t.claims(ORDER, PAYMENT)
                    .notBeforeTime(t.ago(Duration.ofMinutes(-10)))
                    .expirationTime(t.ago(Duration.ofMinutes(-20))))),
                row("replayed for another audience", "AUDIENCE",
                        t -> t.agent.jwtSvid(ORDER, "spiffe://example.org/ns/production/sa/ledger-service")),
                row("no audience", "MISSING_AUDIENCE", t -> t.signed(t.claims(ORDER, PAYMENT).audience((String) null))),
                row("sub not a SPIFFE ID", "INVALID_SUBJECT", t -> t.signed(t.claims("order-service", PAYMENT))),
                row("sub of another trust domain signed with our key", "UNKNOWN_KEY",
                        t -> t.signed(t.claims(PARTNER_CALLER, PAYMENT))),
                row("sub of a trust domain we do not trust", "UNKNOWN_TRUST_DOMAIN",
                        t -> t.signed(t.claims("spiffe://evil.example/ns/x/sa/y", PAYMENT))),
                row("unknown kid", "UNKNOWN_KEY", t -> t.signedWith(t.foreignKey(), t.claims(ORDER, PAYMENT), null)),
                row("key removed from the bundle after a rotation", "UNKNOWN_KEY", t -> t.tokenOfARetiredKey()),
                row("crit header", "CRITICAL_HEADER", t -> t.signedWith(t.ourKey(), t.claims(ORDER, PAYMENT),
                        Set.of("spiffe-extension"))),
                row("encrypted token (JWE)", "ENCRYPTED", t -> t.encrypted()),
                row("64 KB token", "TOO_LARGE", t -> t.signed(t.claims(ORDER, PAYMENT).claim("padding",
                        "x".repeat(64 * 1024)))),
                row("malformed base64", "MALFORMED", t -> "eyJhbGciOiJFUzI1NiJ9.e30!!.c2ln"),
                row("three parts that are no JSON", "MALFORMED", t -> "bm90.anNvbg.c2ln"));
    }

    @Test
    void theValidatorNeverTakesThePlaceOfTheApplicationsOwnJwtDecoderButOffersOne() {
        assertThat(app.getBeansOfType(org.springframework.security.oauth2.jwt.JwtDecoder.class)).isEmpty();
        var decoder = app.getBean(io.github.spiffeboot.jwt.JwtSvidValidator.class).asJwtDecoder();
        assertThat(decoder.decode(agent.jwtSvid(ORDER, PAYMENT)).getSubject()).isEqualTo(ORDER);
        org.assertj.core.api.Assertions
            .assertThatThrownBy(() -> decoder.decode(agent.jwtSvid(ORDER, "spiffe://example.org/ns/production/sa/other")))
            .isInstanceOf(io.github.spiffeboot.jwt.JwtSvidRejectedException.class)
            .hasMessageStartingWith("AUDIENCE");
    }

    @Test
    void trustedProxiesWithoutAnAudienceFailStartupSayingWhatToSet() {
        assertThatThrownBy(() -> payments(agent)
            .properties("spiffe.jwt.enabled=true", "spiffe.jwt.trusted-proxies=" + GATEWAY)
            .run()
            .close()).hasStackTraceContaining("spiffe.jwt.audiences");
    }

    @Test
    void aTrustedProxyPatternThatIsNoSpiffeIdPatternFailsStartup() {
        assertThatThrownBy(() -> payments(agent)
            .properties("spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + PAYMENT,
                    "spiffe.jwt.trusted-proxies=https://gateway.example.org")
            .run()
            .close()).hasStackTraceContaining("spiffe.jwt.trusted-proxies[0]");
    }

    @Test
    void acceptingJwtSvidsWithoutSpringSecuritysJoseSupportFailsStartupSayingWhatToAdd() {
        // The echo application: the payments one's method security cannot be proxied under a filtering class loader.
        assertThatThrownBy(() -> new org.springframework.boot.builder.SpringApplicationBuilder(
                io.github.spiffeboot.testapp.EchoApplication.class)
            .resourceLoader(new org.springframework.core.io.DefaultResourceLoader(
                    new org.springframework.boot.test.context.FilteredClassLoader(
                            org.springframework.security.oauth2.jwt.JwtDecoder.class)))
            .properties("server.port=0", "spring.main.banner-mode=off", "spiffe.workload-api.socket=" + agent.socketAddress(),
                    "spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + PAYMENT,
                    "spiffe.jwt.trusted-proxies=" + GATEWAY)
            .run()
            .close()).hasStackTraceContaining("spring-security-oauth2-jose");
    }

    /** JWT-only: TLS is terminated before the service, so the token alone names the caller. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class JwtOnly {

        ConfigurableApplicationContext jwtOnlyApp;

        int jwtOnlyPort;

        @BeforeAll
        void start() {
            jwtOnlyApp = payments(agent).properties("spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + PAYMENT,
                    "spiffe.jwt.jwt-only=true")
                .run();
            jwtOnlyPort = port(jwtOnlyApp);
        }

        @AfterAll
        void stop() {
            jwtOnlyApp.close();
        }

        @Test
        void theTokensSubjectIsTheCallerWhateverTheTlsPeer() throws IOException {
            assertThat(agent.anonymousClient().bearer(agent.jwtSvid(ORDER, PAYMENT))
                .post(jwtOnlyPort, "/api/payments/refund", "{}")
                .body()).isEqualTo("refunded");
            // The TLS peer is no caller here: subscription-service's certificate does not stand in for the token.
            assertThat(agent.client(SUBSCRIPTION).bearer(agent.jwtSvid(ORDER, PAYMENT))
                .post(jwtOnlyPort, "/api/payments/refund", "{}")
                .body()).isEqualTo("refunded");
        }

        @Test
        void withoutATokenEvenAnMtlsPeerIsUnauthenticated() throws IOException {
            assertThat(agent.client(ORDER).post(jwtOnlyPort, "/api/payments/charge", "{}").status()).isEqualTo(401);
            assertThat(agent.anonymousClient().post(jwtOnlyPort, "/api/payments/charge", "{}").status())
                .isEqualTo(401);
        }

        @Test
        void aTokenForAnotherAudienceIsRefused() throws IOException {
            assertThat(agent.anonymousClient()
                .bearer(agent.jwtSvid(ORDER, "spiffe://example.org/ns/production/sa/ledger-service"))
                .post(jwtOnlyPort, "/api/payments/charge", "{}")
                .status()).isEqualTo(401);
        }
    }

    /**
     * The same decisions on WebFlux (Reactor Netty): one {@code JwtSvidCallers} serves every transport, so
     * the forwarded caller, the ignored token, the refusals and their audit lines are the servlet side's.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnWebFlux {

        ConfigurableApplicationContext reactive;

        ConfigurableApplicationContext reactiveJwtOnly;

        int reactivePort;

        int jwtOnlyPort;

        @BeforeAll
        void start() {
            reactive = ReactivePaymentsApplication.builder()
                .properties("spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.jwt.enabled=true",
                        "spiffe.jwt.audiences=" + PAYMENT, "spiffe.jwt.trusted-proxies=" + GATEWAY,
                        "spiffe.jwt.clock-skew=PT5S", "server.max-http-request-header-size=160KB")
                .run();
            reactivePort = port(reactive);
            reactiveJwtOnly = ReactivePaymentsApplication.builder()
                .properties("spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.jwt.enabled=true",
                        "spiffe.jwt.audiences=" + PAYMENT, "spiffe.jwt.jwt-only=true")
                .run();
            jwtOnlyPort = port(reactiveJwtOnly);
            watching.add(reactive);
        }

        @AfterAll
        void stop() {
            watching.remove(reactive);
            reactive.close();
            reactiveJwtOnly.close();
        }

        @Test
        void aTrustedGatewayForwardingACallersJwtSvidCallsAsThatCaller() throws IOException {
            TestHttpResponse me = agent.client(GATEWAY).bearer(agent.jwtSvid(OPS, PAYMENT)).get(reactivePort, "/api/me");
            assertThat(me.status()).isEqualTo(200);
            assertThat(me.body()).contains("\"name\":\"" + OPS + "\"")
                .contains("\"principalType\":\"SpiffeId\"")
                .contains("\"ROLE_PAYMENT_ADMIN\"");
            assertThat(agent.client(GATEWAY).bearer(agent.jwtSvid(ORDER, PAYMENT))
                .post(reactivePort, "/api/payments/charge", "{}")
                .body()).isEqualTo("charged");
        }

        @Test
        void aForwardedCallerMeetsTheSameRulesAndAllowedCallersChecksAsAnMtlsCaller(CapturedOutput output)
                throws IOException {
            TestHttpResponse refused = agent.client(GATEWAY)
                .bearer(agent.jwtSvid(SUBSCRIPTION, PAYMENT))
                .post(reactivePort, "/api/payments/refund", "{}");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).contains("\"caller\":\"" + SUBSCRIPTION + "\"");
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"" + SUBSCRIPTION
                    + "\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\" reason=\"caller is not on the allowlist\" transport=\"http\" credential=jwt-svid");
            // The receipt's rule lets anyone in example.org read; @AllowedCallers narrows it to order-service.
            assertThat(agent.client(GATEWAY).bearer(agent.jwtSvid(ORDER, PAYMENT))
                .get(reactivePort, "/api/payments/7/receipt")
                .body()).isEqualTo("receipt 7");
            assertThat(agent.client(GATEWAY).bearer(agent.jwtSvid(SUBSCRIPTION, PAYMENT))
                .get(reactivePort, "/api/payments/7/receipt")
                .status()).isEqualTo(403);
        }

        @Test
        void aBearerTokenFromAPeerThatIsNoTrustedProxyIsIgnored(CapturedOutput output) throws IOException {
            TestHttpResponse response = agent.client(SUBSCRIPTION)
                .bearer(agent.jwtSvid(ORDER, PAYMENT))
                .post(reactivePort, "/api/payments/refund", "{}");
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.body()).contains("\"caller\":\"" + SUBSCRIPTION + "\"");
            assertThat(output).contains("caller=\"" + SUBSCRIPTION
                    + "\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\" reason=\"caller is not on the allowlist\" transport=\"http\" credential=x509-svid");
        }

        @Test
        void aTrustedGatewaysRequestWithoutATokenIsUnauthenticatedNotTheGateways(CapturedOutput output)
                throws IOException {
            TestHttpResponse response = agent.client(GATEWAY).get(reactivePort, "/api/me");
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("www-authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"-\" method=\"GET\" path=\"/api/me\" "
                    + "rule=\"default\" reason=\"no SPIFFE identity: JWT-SVID refused (MISSING)\" transport=\"http\" credential=jwt-svid");
        }

        @Test
        void twoAuthorizationHeadersAreRefusedWhicheverWouldHaveBeenRead() throws IOException {
            try (TestHttpConnection connection = agent.client(GATEWAY).connect(reactivePort)) {
                // The test connection writes header lines as given: this is two Authorization headers on the wire.
                TestHttpResponse response = connection.request("GET", "/api/me", null, Map.of("Authorization",
                        "Bearer " + agent.jwtSvid(OPS, PAYMENT) + "\r\nAuthorization: Bearer " + agent.jwtSvid(ORDER, PAYMENT)));
                assertThat(response.status()).isEqualTo(401);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.github.spiffeboot.security.JwtSvidAuthenticationIntegrationTests#hostileTokens")
        void aHostileTokenIsRefusedWith401AndAnAuditLine(String name, String reason,
                Function<JwtSvidAuthenticationIntegrationTests, String> token, CapturedOutput output)
                throws IOException {
            String path = "/api/files/" + UUID.randomUUID();
            TestHttpResponse response;
            try (TestHttpConnection connection = agent.client(GATEWAY).connect(reactivePort)) {
                response = connection.request("GET", path, null,
                        Map.of("Authorization", "Bearer " + token.apply(JwtSvidAuthenticationIntegrationTests.this)));
            }
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("www-authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
            assertThat(response.body()).contains("\"error\":\"unauthenticated\"");
            assertThat(response.header("set-cookie")).isNull();
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"-\" method=\"GET\" path=\"" + path
                    + "\" rule=\"default\" reason=\"no SPIFFE identity: JWT-SVID refused (" + reason + ")\" transport=\"http\" credential=jwt-svid");
        }

        @Test
        void noResponseOpensASession() throws IOException {
            TestHttpResponse allowed = agent.client(GATEWAY).bearer(agent.jwtSvid(ORDER, PAYMENT))
                .get(reactivePort, "/api/me");
            TestHttpResponse refused = agent.client(GATEWAY).get(reactivePort, "/api/me");
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(allowed.header("set-cookie")).isNull();
            assertThat(refused.header("set-cookie")).isNull();
        }

        @Test
        void aJwtOnlyServiceTakesTheCallerFromTheTokenAloneWhateverTheTlsPeer() throws IOException {
            assertThat(agent.anonymousClient().bearer(agent.jwtSvid(ORDER, PAYMENT))
                .post(jwtOnlyPort, "/api/payments/refund", "{}")
                .body()).isEqualTo("refunded");
            assertThat(agent.client(SUBSCRIPTION).bearer(agent.jwtSvid(ORDER, PAYMENT))
                .post(jwtOnlyPort, "/api/payments/refund", "{}")
                .body()).isEqualTo("refunded");
            assertThat(agent.client(ORDER).post(jwtOnlyPort, "/api/payments/charge", "{}").status()).isEqualTo(401);
            assertThat(agent.anonymousClient()
                .bearer(agent.jwtSvid(ORDER, "spiffe://example.org/ns/production/sa/ledger-service"))
                .post(jwtOnlyPort, "/api/payments/charge", "{}")
                .status()).isEqualTo(401);
        }
    }

    /**
     * The same decisions on Boot's gRPC server: the trusted gateway forwards the caller's JWT-SVID as
     * {@code authorization} metadata; refusals are {@code UNAUTHENTICATED} with the same audit lines
     * ({@code transport="grpc"}).
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnGrpc {

        static final String CHARGE = GrpcPaymentsApplication.SERVICE + "/Charge";

        static final String REFUND = GrpcPaymentsApplication.SERVICE + "/Refund";

        ConfigurableApplicationContext grpc;

        ConfigurableApplicationContext grpcJwtOnly;

        int grpcPort;

        int jwtOnlyPort;

        @BeforeAll
        void start() {
            grpc = GrpcPaymentsApplication.builder(agent.socketAddress())
                .properties("spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + PAYMENT,
                        "spiffe.jwt.trusted-proxies=" + GATEWAY, "spiffe.jwt.clock-skew=PT5S",
                        // gRPC's own limit would refuse a 64 KB header first; let it through to show the starter does.
                        "spring.grpc.server.inbound.metadata.max-size=160KB")
                .run();
            grpcPort = grpc.getBean(GrpcPaymentsApplication.GrpcPort.class).get();
            // TLS terminated before it in production: here, client certificates are optional.
            grpcJwtOnly = GrpcPaymentsApplication.builder(agent.socketAddress())
                .properties("spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + PAYMENT, "spiffe.jwt.jwt-only=true",
                        "spring.grpc.server.ssl.client-auth=optional")
                .run();
            jwtOnlyPort = grpcJwtOnly.getBean(GrpcPaymentsApplication.GrpcPort.class).get();
            watching.add(grpc);
            orderAgent.identity(ORDER).start();
        }

        final TestWorkloadApi orderAgent = TestWorkloadApi.create(agent.authority());

        /**
         * order-service with its channels named in spiffe.client.servers. One per test: its cached JWT-SVID
         * must not predate a key rotation another test made (a retired key's tokens are refused).
         */
        ConfigurableApplicationContext orderService() {
            String channel = "spring.grpc.client.channel.";
            String server = "spiffe.client.servers.";
            return GrpcPaymentsApplication.builder(orderAgent.socketAddress())
                .properties("spring.grpc.server.enabled=false", "spiffe.jwt.enabled=true",
                        channel + "jwt-only.target=localhost:" + jwtOnlyPort, server + "jwt-only.ids=" + PAYMENT,
                        server + "jwt-only.jwt-audience=" + PAYMENT,
                        channel + "token-only.target=localhost:" + jwtOnlyPort, server + "token-only.ids=" + PAYMENT,
                        server + "token-only.jwt-audience=" + PAYMENT, server + "token-only.client-svid=false",
                        channel + "no-token.target=localhost:" + jwtOnlyPort, server + "no-token.ids=" + PAYMENT,
                        channel + "token-only-to-mtls.target=localhost:" + grpcPort,
                        server + "token-only-to-mtls.ids=" + PAYMENT,
                        server + "token-only-to-mtls.jwt-audience=" + PAYMENT,
                        server + "token-only-to-mtls.client-svid=false")
                .run();
        }

        @AfterAll
        void stop() {
            watching.remove(grpc);
            orderAgent.close();
            grpc.close();
            grpcJwtOnly.close();
        }

        /** A call on a new channel of order-service's, so on a new connection with a handshake of its own. */
        private String callOnNamedChannel(ConfigurableApplicationContext channels, String name, String method) {
            io.grpc.ManagedChannel channel = channels.getBean(org.springframework.grpc.client.GrpcChannelFactory.class)
                .createChannel(name);
            try {
                return io.grpc.stub.ClientCalls.blockingUnaryCall(channel,
                        TestGrpcChannel.textMethod(method, io.grpc.MethodDescriptor.MethodType.UNARY),
                        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS), "1");
            }
            finally {
                channel.shutdownNow();
            }
        }

        @Test
        void aNamedChannelWithAJwtAudienceSendsTheWorkloadsJwtSvidOnEveryCall() {
            try (ConfigurableApplicationContext orderService = orderService()) {
                // JWT-only: without the token (the "no-token" channel, same server) the call is UNAUTHENTICATED.
                assertThat(callOnNamedChannel(orderService, "jwt-only", REFUND)).isEqualTo("refunded 1");
                assertThat(callOnNamedChannel(orderService, "jwt-only", GrpcPaymentsApplication.SERVICE + "/Whoami"))
                    .startsWith(ORDER + " ");
                assertThatThrownBy(() -> callOnNamedChannel(orderService, "no-token", REFUND)).satisfies(ex -> assertThat(
                        Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            }
        }

        /**
         * A key retired at once (revoked, say): verifiers refuse the tokens it signed, so order-service drops
         * its cached token when the bundle without that key arrives, instead of sending it until its renewal.
         */
        @Test
        void aCachedJwtSvidWhoseKeyLeavesTheBundleIsReplacedAtOnce() {
            try (ConfigurableApplicationContext orderService = orderService()) {
                assertThat(callOnNamedChannel(orderService, "jwt-only", REFUND)).isEqualTo("refunded 1");
                io.github.spiffeboot.jwt.JwtSvids svids = orderService.getBean(io.github.spiffeboot.jwt.JwtSvids.class);
                String before = svids.tokenIfFresh(PAYMENT);
                assertThat(before).isNotNull();
                String retiring = agent.authority().jwt().signingKey().getKeyID();
                List<JwtBundleSource> bundles = List.of(grpcJwtOnly.getBean(JwtBundleSource.class),
                        orderService.getBean(JwtBundleSource.class));
                agent.rotateJwtKey().retireOldJwtKeys();
                orderAgent.retireOldJwtKeys();
                await().until(() -> bundles.stream().allMatch(
                        source -> source.current().forTrustDomain(new TrustDomain("example.org")).key(retiring) == null));
                // Renewal would be minutes away (half the token's lifetime); the next call must not need it.
                await().until(() -> svids.tokenIfFresh(PAYMENT) == null);
                assertThat(callOnNamedChannel(orderService, "jwt-only", REFUND)).isEqualTo("refunded 1");
                assertThat(svids.tokenIfFresh(PAYMENT)).isNotNull().isNotEqualTo(before);
            }
        }

        @Test
        void aTokenOnlyChannelPresentsNoCertificateButTheJwtSvid() {
            try (ConfigurableApplicationContext orderService = orderService()) {
                assertThat(callOnNamedChannel(orderService, "token-only", REFUND)).isEqualTo("refunded 1");
                // The trusted-proxy server requires client certificates: without one, no connection.
                assertThatThrownBy(() -> callOnNamedChannel(orderService, "token-only-to-mtls", REFUND)).satisfies(
                        ex -> assertThat(Status.fromThrowable(ex).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            }
        }

        @Test
        void aTrustedGatewayForwardingACallersJwtSvidCallsAsThatCaller() {
            assertThat(call(GATEWAY, agent.jwtSvid(ORDER, PAYMENT), REFUND)).isEqualTo("refunded 1");
            assertThat(call(GATEWAY, agent.jwtSvid(OPS, PAYMENT), GrpcPaymentsApplication.SERVICE + "/Whoami"))
                .startsWith(OPS + " ")
                .contains("ROLE_PAYMENT_ADMIN");
        }

        @Test
        void aForwardedCallerMeetsTheSameRulesAndAllowedCallersChecksAsAnMtlsCaller(CapturedOutput output) {
            assertThat(status(GATEWAY, agent.jwtSvid(SUBSCRIPTION, PAYMENT), REFUND).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"" + SUBSCRIPTION + "\" method=\"POST\" path=\"/"
                    + REFUND + "\" rule=\"refund\" reason=\"caller is not on the allowlist\" transport=\"grpc\" credential=jwt-svid");
            String receipt = GrpcPaymentsApplication.SERVICE + "/Receipt";
            assertThat(call(GATEWAY, agent.jwtSvid(ORDER, PAYMENT), receipt)).isEqualTo("receipt 1");
            assertThat(status(GATEWAY, agent.jwtSvid(SUBSCRIPTION, PAYMENT), receipt).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        }

        @Test
        void aBearerTokenFromAPeerThatIsNoTrustedProxyIsIgnored(CapturedOutput output) {
            assertThat(status(SUBSCRIPTION, agent.jwtSvid(ORDER, PAYMENT), REFUND).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(output).contains("caller=\"" + SUBSCRIPTION + "\" method=\"POST\" path=\"/" + REFUND
                    + "\" rule=\"refund\" reason=\"caller is not on the allowlist\" transport=\"grpc\" credential=x509-svid");
        }

        @Test
        void aTrustedGatewaysCallWithoutATokenIsUnauthenticatedNotTheGateways(CapturedOutput output) {
            try (TestGrpcChannel channel = agent.client(GATEWAY).grpc(grpcPort)) {
                assertThatThrownBy(() -> channel.call(CHARGE, "1")).satisfies(ex -> assertThat(Status.fromThrowable(ex))
                    .extracting(Status::getCode, Status::getDescription)
                    .containsExactly(Status.Code.UNAUTHENTICATED, "JWT-SVID refused"));
            }
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"-\" method=\"POST\" path=\"/" + CHARGE
                    + "\" rule=\"default\" reason=\"no SPIFFE identity: JWT-SVID refused (MISSING)\" transport=\"grpc\" credential=jwt-svid");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.github.spiffeboot.security.JwtSvidAuthenticationIntegrationTests#hostileTokens")
        void aHostileTokenIsRefusedWithUnauthenticatedAndAnAuditLine(String name, String reason,
                Function<JwtSvidAuthenticationIntegrationTests, String> token, CapturedOutput output) {
            Status status = status(GATEWAY, token.apply(JwtSvidAuthenticationIntegrationTests.this), CHARGE);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"-\" method=\"POST\" path=\"/" + CHARGE
                    + "\" rule=\"default\" reason=\"no SPIFFE identity: JWT-SVID refused (" + reason + ")\" transport=\"grpc\" credential=jwt-svid");
            // The server keeps serving the next caller.
            assertThat(call(GATEWAY, agent.jwtSvid(ORDER, PAYMENT), CHARGE)).isEqualTo("charged 1");
        }

        @Test
        void aJwtOnlyServiceTakesTheCallerFromTheTokenAloneWhateverTheTlsPeer() {
            assertThat(callOn(jwtOnlyPort, SUBSCRIPTION, agent.jwtSvid(ORDER, PAYMENT), REFUND)).isEqualTo("refunded 1");
            try (TestGrpcChannel channel = agent.client(ORDER).grpc(jwtOnlyPort)) {
                assertThatThrownBy(() -> channel.call(CHARGE, "1")).satisfies(ex -> assertThat(Status.fromThrowable(ex))
                    .extracting(Status::getCode, Status::getDescription)
                    .containsExactly(Status.Code.UNAUTHENTICATED, "JWT-SVID refused"));
            }
        }

        private String call(String peer, String token, String method) {
            return callOn(grpcPort, peer, token, method);
        }

        private String callOn(int port, String peer, String token, String method) {
            try (TestGrpcChannel channel = agent.client(peer).bearer(token).grpc(port)) {
                return channel.call(method, "1");
            }
        }

        private Status status(String peer, String token, String method) {
            try {
                call(peer, token, method);
                return Status.OK;
            }
            catch (StatusRuntimeException ex) {
                return ex.getStatus();
            }
        }
    }

    private static Arguments row(String name, String reason,
            Function<JwtSvidAuthenticationIntegrationTests, String> token) {
        return Arguments.of(name, reason, token);
    }

    JWTClaimsSet.Builder claims(String subject, String audience) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(subject)
            .audience(audience)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    Date ago(Duration duration) {
        return Date.from(Instant.now().minus(duration));
    }

    ECKey ourKey() {
        return agent.authority().jwt().signingKey();
    }

    ECKey foreignKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
    }

    String signed(JWTClaimsSet.Builder claims) {
        return agent.authority().jwt().sign(claims.build());
    }

    String signedWith(ECKey key, JWTClaimsSet.Builder claims, Set<String> critical) {
        try {
            JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID());
            if (critical != null) {
                header.criticalParams(critical);
                critical.forEach(name -> header.customParam(name, true));
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims.build());
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The classic key confusion: the verifier's public key used as an HMAC secret. */
    String hmacWithBundleKey() {
        try {
            ECKey key = ourKey();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                    claims(ORDER, PAYMENT).build());
            jwt.sign(new MACSigner(key.toPublicJWK().toJSONString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return jwt.serialize();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
    }

    String encrypted() {
        try {
            EncryptedJWT jwt = new EncryptedJWT(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A128GCM),
                    claims(ORDER, PAYMENT).build());
            jwt.encrypt(new DirectEncrypter(new byte[16]));
            return jwt.serialize();
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A token signed by the current key, which a rotation then retires; the service must notice. */
    String tokenOfARetiredKey() {
        TestJwtAuthority jwt = agent.authority().jwt();
        String retiring = jwt.signingKey().getKeyID();
        String token = agent.jwtSvid(ORDER, PAYMENT);
        List<JwtBundleSource> bundles = new java.util.ArrayList<>(List.of(app.getBean(JwtBundleSource.class)));
        watching.forEach(other -> bundles.add(other.getBean(JwtBundleSource.class)));
        agent.rotateJwtKey().retireOldJwtKeys();
        await().until(() -> bundles.stream()
            .allMatch(source -> source.current().forTrustDomain(new TrustDomain("example.org")).key(retiring) == null));
        return token;
    }
}
