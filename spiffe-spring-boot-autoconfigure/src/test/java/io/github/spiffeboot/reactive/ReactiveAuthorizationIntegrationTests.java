package io.github.spiffeboot.reactive;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.github.spiffeboot.security.SpiffeAuthorities;
import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.ReactivePaymentsApplication;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.InMemoryWebSessionStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may call what on a WebFlux application (Reactor Netty), through real mTLS requests as various SPIFFE
 * IDs, with the rules of {@code application-payments.yml}: the same policy, bodies, audit lines, metrics and
 * bypass table as the servlet suite ({@code AuthorizationIntegrationTests}), plus WebFlux's own path cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ReactiveAuthorizationIntegrationTests {

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String SUBSCRIPTION = "spiffe://example.org/ns/production/sa/subscription-service";

    static final String OPS = "spiffe://example.org/ns/ops/sa/settlement-job";

    static final String QUARANTINED = "spiffe://example.org/ns/quarantine/sa/order-service";

    final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    ConfigurableApplicationContext app;

    int port;

    @BeforeAll
    void start() {
        agent.identity("spiffe://example.org/ns/production/sa/payment-service").start();
        app = ReactivePaymentsApplication.builder().properties("spiffe.workload-api.socket=" + agent.socketAddress())
            .run();
        port = port(app);
    }

    @AfterAll
    void stop() {
        app.close();
        agent.close();
    }

    @Test
    void allowedCallersGetThrough() throws IOException {
        assertThat(as(ORDER).post(port, "/api/payments/charge", "{}").body()).isEqualTo("charged");
        assertThat(as(SUBSCRIPTION).post(port, "/api/payments/charge", "{}").body()).isEqualTo("charged");
        assertThat(as(ORDER).post(port, "/api/payments/refund", "{}").body()).isEqualTo("refunded");
    }

    @Test
    void aCallerNotOnTheListGets403WithItsIdAndThePath() throws IOException {
        TestHttpResponse response = as(SUBSCRIPTION).post(port, "/api/payments/refund", "{}");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.header("content-type")).startsWith("application/json");
        assertThat(response.body()).contains("\"error\":\"forbidden\"")
            .contains("\"caller\":\"" + SUBSCRIPTION + "\"")
            .contains("\"method\":\"POST\"")
            .contains("\"path\":\"/api/payments/refund\"");
    }

    @Test
    void aCallerWithoutIdentityGets401() throws IOException {
        TestHttpResponse response = agent.anonymousClient().post(port, "/api/payments/charge", "{}");
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("content-type")).startsWith("application/json");
        assertThat(response.body()).contains("\"error\":\"unauthenticated\"").contains("\"path\":\"/api/payments/charge\"");
    }

    @Test
    void aBearerTokenNeverSpeaksForTheMtlsPeer() throws IOException {
        // OPS may not charge; a valid JWT-SVID naming ORDER, sent by OPS, changes nothing: the caller is the peer.
        TestHttpResponse response = as(OPS).bearer(agent.jwtSvid(ORDER, "spiffe://example.org/ns/production/sa/payment-service"))
            .post(port, "/api/payments/charge", "{}");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).contains("\"caller\":\"" + OPS + "\"");
    }

    @Test
    void methodsOutsideTheRuleAreNotAllowedByIt() throws IOException {
        try (TestHttpConnection connection = as(ORDER).connect(port)) {
            TestHttpResponse response = connection.request("PUT", "/api/payments/charge", "{}",
                    Map.of("Content-Type", "application/json"));
            assertThat(response.status()).isEqualTo(403);
        }
    }

    @Test
    void pathsNoRuleCoversAreDeniedByDefault() throws IOException {
        assertThat(as(ORDER).get(port, "/api/unlisted").status()).isEqualTo(403);
    }

    @Test
    void denyEntriesWinOverAllowEntries() throws IOException {
        assertThat(as(OPS).get(port, "/api/me").status()).isEqualTo(200);
        assertThat(as(QUARANTINED).get(port, "/api/me").status()).isEqualTo(403);
    }

    @Test
    void thePrincipalIsTheSpiffeIdWithAuthoritiesForIdTrustDomainAndRoles() throws IOException {
        TestHttpResponse response = as(OPS).get(port, "/api/me");
        assertThat(response.body()).contains("\"name\":\"" + OPS + "\"")
            .contains("\"principalType\":\"SpiffeId\"")
            .contains("\"SPIFFE_ID:" + OPS + "\"")
            .contains("\"SPIFFE_TRUST_DOMAIN:example.org\"")
            .contains("\"ROLE_PAYMENT_ADMIN\"");
        assertThat(as(ORDER).get(port, "/api/me").body()).doesNotContain("ROLE_PAYMENT_ADMIN");
    }

    @Test
    void reactiveMethodSecuritySpeaksAboutSpiffeIds() throws IOException {
        // @AllowedCallers on GET /api/payments/{id}
        assertThat(as(ORDER).get(port, "/api/payments/p-1").body()).isEqualTo("payment p-1");
        assertThat(as(OPS).get(port, "/api/payments/p-1").body()).isEqualTo("payment p-1");
        TestHttpResponse denied = as(SUBSCRIPTION).get(port, "/api/payments/p-1");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body()).contains("\"error\":\"forbidden\"").contains("\"caller\":\"" + SUBSCRIPTION + "\"");
        // @PreAuthorize("@spiffe.isCaller(...)")
        assertThat(as(ORDER).get(port, "/api/payments/p-1/receipt").body()).isEqualTo("receipt p-1");
        assertThat(as(OPS).get(port, "/api/payments/p-1/receipt").status()).isEqualTo(403);
        // @PreAuthorize("@spiffe.isFromTrustDomain(...)")
        assertThat(as(SUBSCRIPTION).get(port, "/api/payments/p-1/export").body()).isEqualTo("export p-1");
        // @PreAuthorize("hasRole('PAYMENT_ADMIN')") with spiffe.authz.roles
        assertThat(as(OPS).get(port, "/api/admin/settlements").body()).isEqualTo("settlements");
        assertThat(as(ORDER).get(port, "/api/admin/settlements").status()).isEqualTo(403);
    }

    @Test
    void aMalformedPatternInAnExpressionDeniesWith403AndOneLogLine(CapturedOutput output) throws IOException {
        for (int i = 0; i < 3; i++) {
            TestHttpResponse response = as(ORDER).get(port, "/api/payments/p-1/audit");
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.body()).contains("\"error\":\"forbidden\"").doesNotContain("Exception");
        }
        String pattern = "spiffe://example.org/ns/prod*/sa/order-service";
        assertThat(output.getAll().lines().filter(line -> line.contains(pattern))).singleElement()
            .asString()
            .contains("@spiffe.callerMatches")
            .contains("access denied");
    }

    @Test
    void aCaptureTheRestRuleCoversEveryPathItsHandlerServes() throws IOException {
        assertThat(as(ORDER).get(port, "/api/files/a/b/c.txt").body()).isEqualTo("file /a/b/c.txt");
        assertThat(as(SUBSCRIPTION).get(port, "/api/files/a/b/c.txt").status()).isEqualTo(403);
    }

    @Test
    void everyDenialIsAuditedInAParsableLineNamingTheX509Credential(CapturedOutput output) throws IOException {
        as(SUBSCRIPTION).post(port, "/api/payments/refund", "{}");
        assertThat(output).contains("spiffe-authz outcome=DENY caller=\"" + SUBSCRIPTION
                + "\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\" reason=\"caller is not on the allowlist\""
                + " transport=\"http\" credential=x509-svid");
        as(ORDER).post(port, "/api/payments/refund", "{}");
        assertThat(output).doesNotContain("outcome=ALLOW");
    }

    @Test
    void decisionsAreCountedByOutcomeAndRule() throws IOException {
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        double before = count(meters, "DENY", "refund");
        as(SUBSCRIPTION).post(port, "/api/payments/refund", "{}");
        as(SUBSCRIPTION).post(port, "/api/payments/refund", "{}");
        assertThat(count(meters, "DENY", "refund")).isEqualTo(before + 2);
        assertThat(count(meters, "ALLOW", "charge") + count(meters, "ALLOW", "/api/payments/charge")).isGreaterThanOrEqualTo(0);
    }

    private static double count(MeterRegistry meters, String outcome, String rule) {
        var counter = meters.find("spiffe.authz.decisions").tag("outcome", outcome).tag("rule", rule).counter();
        return (counter != null) ? counter.count() : 0;
    }

    @Test
    void aRuleInDryRunLogsButLetsThrough(CapturedOutput output) throws IOException {
        assertThat(as(SUBSCRIPTION).post(port, "/api/payments/trial", "{}").body()).isEqualTo("trial");
        assertThat(output).contains("spiffe-authz outcome=DRY_RUN_DENY caller=\"" + SUBSCRIPTION
                + "\" method=\"POST\" path=\"/api/payments/trial\" rule=\"trial\"");
    }

    /** The servlet suite's spellings of the refund path: none may reach its handler around its rule. */
    @ParameterizedTest
    @ValueSource(strings = { "/api/payments/refund/", "//api/payments/refund", "/api/payments/./refund",
            "/api/payments/refund;x=y", "/api/payments/%72efund", "/api/payments/refund%2F", "/API/payments/refund",
            "/api/payments/REFUND", "/api/payments/x/../refund", "/api/payments/%2e/refund",
            "/api/payments/refund?x=1", "/api/payments/refund.json", "/api/payments/refund/.",
            "/api/payments//refund", "/api/payments/refund%3Bx=y", "/api/payments/%252e/refund",
            "/api/payments/refund%00", "/api/./payments/refund", "/api/payments/ref%75nd" })
    void theRefundRuleCannotBeBypassedThroughThePath(String spelling) throws IOException {
        assertRefusedForSubscription(spelling);
    }

    /**
     * WebFlux's own ways of reading a path: path parameters on any segment (which {@code PathPattern} ignores),
     * encoded separators and backslashes, and case.
     */
    @ParameterizedTest
    @ValueSource(strings = { "/api;x=y/payments/refund", "/api/payments;v=1/refund", "/api/payments/refund;",
            "/api/payments/%72%65%66%75%6e%64", "/api%2Fpayments/refund", "/api/payments%5Crefund",
            "/api/payments/Refund", "/api/payments/refund%20", "/api/payments/refund/..;/refund",
            "/api/payments/refund%2e", "/api/payments/%2E%2E/payments/refund" })
    void webFluxSpecificSpellingsCannotBypassTheRefundRule(String spelling) throws IOException {
        assertRefusedForSubscription(spelling);
    }

    private void assertRefusedForSubscription(String spelling) throws IOException {
        TestHttpResponse response;
        try (TestHttpConnection connection = as(SUBSCRIPTION).connect(port)) {
            response = connection.request("POST", spelling, "{}", Map.of("Content-Type", "application/json"));
        }
        assertThat(response.body()).as(spelling).doesNotContain("refunded");
        assertThat(response.status()).as(spelling).isIn(400, 403);
    }

    @Test
    void encodedSpellingsThatWebFluxRoutesToTheHandlerAreCoveredByTheRule() throws IOException {
        // Proof that these spellings do reach the refund handler for an allowed caller. (Path parameters
        // would too, as PathPattern ignores them, but the firewall refuses every ';' with 400 first.)
        for (String spelling : List.of("/api/payments/%72efund", "/api/payments/ref%75nd",
                "/api/payments/%72%65%66%75%6e%64")) {
            try (TestHttpConnection connection = as(ORDER).connect(port)) {
                assertThat(connection.request("POST", spelling, "{}", Map.of("Content-Type", "application/json"))
                    .body()).as(spelling).isEqualTo("refunded");
            }
            try (TestHttpConnection connection = as(SUBSCRIPTION).connect(port)) {
                assertThat(connection.request("POST", spelling, "{}", Map.of("Content-Type", "application/json"))
                    .status()).as(spelling).isEqualTo(403);
            }
        }
    }

    /** Stateless: no response, whatever its status, carries a cookie (no WebSession is created or saved). */
    @Test
    void noResponseSetsACookie() throws IOException {
        List<TestHttpResponse> responses = List.of(as(ORDER).post(port, "/api/payments/refund", "{}"),
                agent.anonymousClient().post(port, "/api/payments/refund", "{}"),
                as(SUBSCRIPTION).post(port, "/api/payments/refund", "{}"), as(OPS).get(port, "/api/admin/nothing-here"),
                as(OPS).get(port, "/api/admin/boom"));
        assertThat(responses).extracting(TestHttpResponse::status).containsExactly(200, 401, 403, 404, 500);
        for (TestHttpResponse response : responses) {
            assertThat(response.header("set-cookie")).as("Set-Cookie on a " + response.status()).isNull();
        }
        assertThat(responses.get(4).body()).doesNotContain("IllegalStateException").doesNotContain("trace");
        // Not only no cookie: WebFlux's session store holds no session (one saved without a cookie would show here).
        DefaultWebSessionManager sessions = app.getBean(DefaultWebSessionManager.class);
        assertThat(((InMemoryWebSessionStore) sessions.getSessionStore()).getSessions()).isEmpty();
    }

    @Test
    void aChainThatExpiresOnAKeepAliveConnectionNoLongerAuthenticates() throws Exception {
        // The leaf is valid for an hour, but the intermediate that signed it only for a few seconds.
        Instant now = Instant.now();
        Instant intermediateExpiry = now.plusSeconds(4);
        TestCertificateAuthority intermediate = agent.authority().intermediate(intermediateExpiry);
        SpiffeTestClient client = SpiffeTestClient.withSvid(
                intermediate.issue(SvidSpec.forId(ORDER).validity(now.minusSeconds(1), now.plus(Duration.ofHours(1)))),
                agent.trustedAuthorities());
        try (TestHttpConnection connection = client.connect(port)) {
            assertThat(connection.get("/api/me").body()).contains("\"name\":\"" + ORDER + "\"");
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), intermediateExpiry).toMillis()) + 1_100);
            TestHttpResponse expired = connection.get("/api/me");
            assertThat(expired.status()).isEqualTo(401);
            // A connection whose certificate no longer verifies is of no further use: the client reconnects.
            assertThat(expired.header("connection")).isEqualTo("close");
        }
    }

    @Test
    void aKeepAliveConnectionIsClosedNearTheEndOfItsCertificateWithoutFailingARequest() throws Exception {
        // Valid for 10 s: the connection is renewed four fifths in (at 7 s from now), long after an agent
        // rotates (half-life), with room for a slow first handshake on a busy machine.
        Instant now = Instant.now();
        SpiffeTestClient client = SpiffeTestClient.withSvid(
                agent.authority().issue(SvidSpec.forId(ORDER).validity(now.minusSeconds(1), now.plusSeconds(9))),
                agent.trustedAuthorities());
        try (TestHttpConnection connection = client.connect(port)) {
            TestHttpResponse early = connection.get("/api/me");
            assertThat(early.body()).contains("\"name\":\"" + ORDER + "\"");
            assertThat(early.header("connection")).isNull();
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), now.plusMillis(7_500)).toMillis()));
            TestHttpResponse late = connection.get("/api/me");
            assertThat(late.body()).contains("\"name\":\"" + ORDER + "\"");
            assertThat(late.header("connection")).isEqualTo("close");
            assertThatThrownBy(() -> connection.get("/api/me")).isInstanceOf(IOException.class);
        }
    }

    /**
     * The rules as a user writes them, like the handler mappings, in an application served under
     * {@code spring.webflux.base-path=/v1}, with every uncovered path open to any SPIFFE identity: rules must
     * cover the handlers' paths, and nothing may reach a handler around them.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class UnderABasePath {

        ConfigurableApplicationContext basePathApp;

        int basePathPort;

        @BeforeAll
        void start() {
            basePathApp = ReactivePaymentsApplication.builder()
                .properties("spiffe.workload-api.socket=" + agent.socketAddress(), "spring.webflux.base-path=/v1",
                        "spiffe.authz.default-policy=authenticated")
                .run();
            basePathPort = port(basePathApp);
        }

        @AfterAll
        void stop() {
            basePathApp.close();
        }

        @Test
        void rulesWrittenLikeTheHandlerMappingsCoverTheHandlers(CapturedOutput output) throws IOException {
            assertThat(as(ORDER).post(basePathPort, "/v1/api/payments/refund", "{}").body()).isEqualTo("refunded");
            assertThat(as(SUBSCRIPTION).post(basePathPort, "/v1/api/payments/refund", "{}").status()).isEqualTo(403);
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"" + SUBSCRIPTION
                    + "\" method=\"POST\" path=\"/v1/api/payments/refund\" rule=\"refund\"");
            assertThat(as(ORDER).get(basePathPort, "/v1/api/files/a/b").body()).isEqualTo("file /a/b");
            assertThat(as(SUBSCRIPTION).get(basePathPort, "/v1/api/files/a/b").status()).isEqualTo(403);
            assertThat(as(QUARANTINED).get(basePathPort, "/v1/api/me").status()).isEqualTo(403);
        }

        @ParameterizedTest
        @ValueSource(strings = { "/api/payments/refund", "/V1/api/payments/refund", "/%761/api/payments/refund",
                "/v%31/api/payments/refund", "/v1;x=y/api/payments/refund", "/v1/api/payments/refund/",
                "/v1/API/payments/refund", "/v1/api/payments/%72efund", "/v1//api/payments/refund",
                "/v1/./api/payments/refund", "/x/../v1/api/payments/refund", "/v1%2Fapi/payments/refund",
                "/v1/v1/api/payments/refund", "/v1/api/payments/refund;x=y" })
        void noSpellingReachesTheRefundHandlerAroundItsRule(String spelling) throws IOException {
            TestHttpResponse response;
            try (TestHttpConnection connection = as(SUBSCRIPTION).connect(basePathPort)) {
                response = connection.request("POST", spelling, "{}", Map.of("Content-Type", "application/json"));
            }
            assertThat(response.body()).as(spelling).doesNotContain("refunded");
            // 400 from the firewall, 403 from the rules, 404 outside the base path; or 500 where WebFlux's own
            // path parsing fails ('/v1;x=y/...' and '/v1%2F...' are no path under the context path '/v1' to
            // RequestPath), in HttpWebHandlerAdapter, before any filter or handler.
            assertThat(response.status()).as(spelling).isIn(400, 403, 404, 500);
            assertThat(response.body()).as(spelling).doesNotContain("Exception").doesNotContain("trace");
        }
    }

    /** The whole policy in dry run. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GlobalDryRun {

        ConfigurableApplicationContext dryRunApp;

        @BeforeAll
        void start() {
            dryRunApp = ReactivePaymentsApplication.builder()
                .properties("spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.authz.dry-run=true",
                        "spiffe.authz.log-allowed=true")
                .run();
        }

        @AfterAll
        void stop() {
            dryRunApp.close();
        }

        @Test
        void denialsAreLoggedButNotEnforced(CapturedOutput output) throws IOException {
            assertThat(as(SUBSCRIPTION).post(port(dryRunApp), "/api/payments/refund", "{}").body())
                .isEqualTo("refunded");
            assertThat(output).contains("outcome=DRY_RUN_DENY caller=\"" + SUBSCRIPTION
                    + "\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\"");
        }

        @Test
        void allowsAreAuditedWhenAskedFor(CapturedOutput output) throws IOException {
            as(ORDER).post(port(dryRunApp), "/api/payments/refund", "{}");
            assertThat(output).contains("spiffe-authz outcome=ALLOW caller=\"" + ORDER
                    + "\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\"");
        }

        @Test
        void callersWithoutIdentityAreRefusedAllTheSame() throws IOException {
            assertThat(agent.anonymousClient().post(port(dryRunApp), "/api/payments/refund", "{}").status())
                .isEqualTo(401);
        }
    }

    /** An application's own chain, with SPIFFE authentication applied through the configurer. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OwnSecurityWebFilterChain {

        ConfigurableApplicationContext ownChainApp;

        @BeforeAll
        void start() {
            ownChainApp = ReactivePaymentsApplication.builder(OwnChainConfiguration.class)
                .properties("spiffe.workload-api.socket=" + agent.socketAddress())
                .run();
        }

        @AfterAll
        void stop() {
            ownChainApp.close();
        }

        @Test
        void theStarterBacksOffAndTheApplicationsRulesApply() throws IOException {
            assertThat(ownChainApp.getBeansOfType(SecurityWebFilterChain.class)).containsOnlyKeys("ownChain");
            // Only the ops settlement job may call anything, by its SPIFFE_ID authority.
            assertThat(as(OPS).post(port(ownChainApp), "/api/payments/refund", "{}").body()).isEqualTo("refunded");
            TestHttpResponse denied = as(ORDER).post(port(ownChainApp), "/api/payments/refund", "{}");
            assertThat(denied.status()).isEqualTo(403);
            assertThat(denied.body()).contains("\"error\":\"forbidden\"").contains("\"caller\":\"" + ORDER + "\"");
            assertThat(agent.anonymousClient().post(port(ownChainApp), "/api/payments/refund", "{}").status())
                .isEqualTo(401);
            assertThat(as(OPS).post(port(ownChainApp), "/api/payments/refund", "{}").header("set-cookie")).isNull();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnChainConfiguration {

        @Bean
        SecurityWebFilterChain ownChain(ServerHttpSecurity http, SpiffeServerHttpConfigurer spiffe) {
            return spiffe.authenticationOnly(http)
                .authorizeExchange(exchanges -> exchanges.anyExchange().hasAuthority(SpiffeAuthorities.ID_PREFIX + OPS))
                .build();
        }
    }

    SpiffeTestClient as(String id) {
        return agent.client(id);
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
