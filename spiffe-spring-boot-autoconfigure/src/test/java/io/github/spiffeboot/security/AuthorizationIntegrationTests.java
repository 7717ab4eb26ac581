package io.github.spiffeboot.security;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.PaymentsApplication;
import io.github.spiffeboot.testapp.RunningApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may call what, through real mTLS requests as various SPIFFE IDs against an application whose
 * rules are in {@code application-payments.yml}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class AuthorizationIntegrationTests {

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
        app = payments(agent).run();
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
            .contains("\"path\":\"/api/payments/refund\"");
    }

    @Test
    void aCallerWithoutIdentityGets401() throws IOException {
        TestHttpResponse response = agent.anonymousClient().post(port, "/api/payments/charge", "{}");
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body()).contains("\"error\":\"unauthenticated\"");
    }

    @Test
    void methodsOutsideTheRuleAreNotAllowedByIt() throws IOException {
        // The charge rule is POST-only and 'reads' GET-only: a PUT falls to the default policy.
        try (TestHttpConnection connection = as(ORDER).connect(port)) {
            TestHttpResponse response = connection.request("PUT", "/api/payments/charge", "{}",
                    Map.of("Content-Type", "application/json"));
            assertThat(response.status()).isEqualTo(403);
        }
    }

    @Test
    void pathsNoRuleCoversAreDeniedByDefault() throws IOException {
        TestHttpResponse response = as(ORDER).get(port, "/api/unlisted");
        assertThat(response.status()).isEqualTo(403);
    }

    @Test
    void denyEntriesWinOverAllowEntries() throws IOException {
        // The 'reads' rule allows all of example.org; the 'quarantine' rule denies ns/quarantine everywhere.
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
    void preAuthorizeSpeaksAboutSpiffeIds() throws IOException {
        // @AllowedCallers on GET /api/payments/{id}
        assertThat(as(ORDER).get(port, "/api/payments/p-1").body()).isEqualTo("payment p-1");
        assertThat(as(OPS).get(port, "/api/payments/p-1").body()).isEqualTo("payment p-1");
        assertThat(as(SUBSCRIPTION).get(port, "/api/payments/p-1").status()).isEqualTo(403);
        // @PreAuthorize("@spiffe.isCaller(...)")
        assertThat(as(ORDER).get(port, "/api/payments/p-1/receipt").body()).isEqualTo("receipt p-1");
        assertThat(as(OPS).get(port, "/api/payments/p-1/receipt").status()).isEqualTo(403);
        // @PreAuthorize("hasRole('PAYMENT_ADMIN')") with spiffe.authz.roles
        assertThat(as(OPS).get(port, "/api/admin/settlements").body()).isEqualTo("settlements");
        assertThat(as(ORDER).get(port, "/api/admin/settlements").status()).isEqualTo(403);
    }

    @Test
    void everyDenialIsAuditedInAParsableLine(CapturedOutput output) throws IOException {
        as(SUBSCRIPTION).post(port, "/api/payments/refund", "{}");
        assertThat(output).contains("spiffe-authz outcome=DENY caller=\"" + SUBSCRIPTION
                + "\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\" reason=\"caller is not on the allowlist\"");
        as(ORDER).post(port, "/api/payments/refund", "{}");
        assertThat(output).doesNotContain("outcome=ALLOW");
    }

    @Test
    void aRuleInDryRunLogsButLetsThrough(CapturedOutput output) throws IOException {
        assertThat(as(SUBSCRIPTION).post(port, "/api/payments/trial", "{}").body()).isEqualTo("trial");
        assertThat(output).contains("spiffe-authz outcome=DRY_RUN_DENY caller=\"" + SUBSCRIPTION
                + "\" method=\"POST\" path=\"/api/payments/trial\" rule=\"trial\"");
    }

    /** Every spelling of the refund path that could reach its handler meets the refund rule. */
    @ParameterizedTest
    @ValueSource(strings = { "/api/payments/refund/", "//api/payments/refund", "/api/payments/./refund",
            "/api/payments/refund;x=y", "/api/payments/%72efund", "/api/payments/refund%2F", "/API/payments/refund",
            "/api/payments/REFUND", "/api/payments/x/../refund", "/api/payments/%2e/refund",
            "/api/payments/refund?x=1", "/api/payments/refund.json", "/api/payments/refund/.",
            "/api/payments//refund", "/api/payments/refund%3Bx=y", "/api/payments/%252e/refund",
            "/api/payments/refund%00", "/api/./payments/refund", "/api/payments/ref%75nd" })
    void theRefundRuleCannotBeBypassedThroughThePath(String spelling) throws IOException {
        TestHttpResponse response;
        try (TestHttpConnection connection = as(SUBSCRIPTION).connect(port)) {
            response = connection.request("POST", spelling, "{}", Map.of("Content-Type", "application/json"));
        }
        assertThat(response.body()).doesNotContain("refunded");
        assertThat(response.status()).as(spelling).isIn(400, 403);
    }

    @Test
    void encodedSpellingsThatSpringMvcRoutesToTheHandlerAreCoveredByTheRule() throws IOException {
        // Proof that these spellings do reach the refund handler for an allowed caller.
        for (String spelling : List.of("/api/payments/%72efund", "/api/payments/ref%75nd")) {
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

    @Test
    void aCaptureTheRestRuleCoversEveryPathItsHandlerServes() throws IOException {
        // Rule and handler are both '/api/files/{*path}'; Spring MVC routes any depth below '/api/files' to it.
        assertThat(as(ORDER).get(port, "/api/files/a/b/c.txt").body()).isEqualTo("file /a/b/c.txt");
        assertThat(as(ORDER).get(port, "/api/files").body()).isEqualTo("file ");
        assertThat(as(SUBSCRIPTION).get(port, "/api/files/a/b/c.txt").status()).isEqualTo(403);
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
            .contains("wildcards must stand for whole path segments")
            .contains("access denied");
        assertThat(output.getAll()).doesNotContain("at io.github.spiffeboot.security.SpiffeExpressions");
        // The same for the other functions.
        assertThat(as(ORDER).get(port, "/api/payments/p-1/export").status()).isEqualTo(403);
        assertThat(output.getAll().lines().filter(line -> line.contains("@spiffe.isFromTrustDomain('Example.org')")))
            .singleElement()
            .asString()
            .contains("access denied");
    }

    @Test
    void patternsBuiltPerRequestDoNotGrowTheCacheWithoutBound() throws IOException {
        SpiffeExpressions expressions = app.getBean(SpiffeExpressions.class);
        // A pattern built per request matches as written...
        assertThat(as(ORDER).get(port, "/api/namespaces/production").body()).isEqualTo("namespace production");
        assertThat(as(ORDER).get(port, "/api/namespaces/staging").status()).isEqualTo(403);
        // ...and as many distinct patterns as requests leave the cache at its bound.
        int requests = SpiffeExpressions.MAX_CACHED + 100;
        for (int sent = 0; sent < requests;) {
            // Tomcat closes a keep-alive connection after 100 requests.
            try (TestHttpConnection connection = as(ORDER).connect(port)) {
                for (int i = 0; i < 90 && sent < requests; i++, sent++) {
                    assertThat(connection.get("/api/namespaces/n-" + sent).status()).isEqualTo(403);
                }
            }
        }
        assertThat(expressions.cachedExpressions()).isLessThanOrEqualTo(SpiffeExpressions.MAX_CACHED);
        // Patterns compiled past the bound still decide correctly.
        assertThat(as(ORDER).get(port, "/api/namespaces/production").body()).isEqualTo("namespace production");
        assertThat(as(ORDER).get(port, "/api/namespaces/n-" + (requests + 1)).status()).isEqualTo(403);
    }

    /**
     * The rules as a user writes them, like the handler mappings, in an application whose DispatcherServlet
     * is mapped to '/v1' ({@code spring.mvc.servlet.path}), and with every uncovered path open to any
     * SPIFFE identity: rules must cover the handlers' paths, and nothing may reach a handler around them.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class UnderAServletPath {

        ConfigurableApplicationContext servletPathApp;

        int servletPathPort;

        @BeforeAll
        void start() {
            servletPathApp = payments(agent)
                .properties("spring.mvc.servlet.path=/v1", "spiffe.authz.default-policy=authenticated")
                .run();
            servletPathPort = port(servletPathApp);
        }

        @AfterAll
        void stop() {
            servletPathApp.close();
        }

        @Test
        void rulesWrittenLikeTheHandlerMappingsCoverTheHandlers(CapturedOutput output) throws IOException {
            assertThat(as(ORDER).post(servletPathPort, "/v1/api/payments/refund", "{}").body()).isEqualTo("refunded");
            TestHttpResponse denied = as(SUBSCRIPTION).post(servletPathPort, "/v1/api/payments/refund", "{}");
            assertThat(denied.status()).isEqualTo(403);
            assertThat(output).contains("spiffe-authz outcome=DENY caller=\"" + SUBSCRIPTION
                    + "\" method=\"POST\" path=\"/v1/api/payments/refund\" rule=\"refund\"");
            assertThat(as(ORDER).get(servletPathPort, "/v1/api/files/a/b").body()).isEqualTo("file /a/b");
            assertThat(as(SUBSCRIPTION).get(servletPathPort, "/v1/api/files/a/b").status()).isEqualTo(403);
            assertThat(as(QUARANTINED).get(servletPathPort, "/v1/api/me").status()).isEqualTo(403);
        }

        @Test
        void managementEndpointsUnderTheServletPathFollowTheirRule() throws IOException {
            TestHttpResponse health = as(OPS).get(servletPathPort, "/v1/actuator/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\"");
            assertThat(as(ORDER).get(servletPathPort, "/v1/actuator/health").status()).isEqualTo(403);
            assertThat(as(QUARANTINED).get(servletPathPort, "/v1/actuator/health").status()).isEqualTo(403);
        }

        @ParameterizedTest
        @ValueSource(strings = { "/api/payments/refund", "/V1/api/payments/refund", "/%761/api/payments/refund",
                "/v%31/api/payments/refund", "/v1;x=y/api/payments/refund", "/v1/api/payments/refund/",
                "/v1/API/payments/refund", "/v1/api/payments/%72efund", "/v1//api/payments/refund",
                "/v1/./api/payments/refund", "/x/../v1/api/payments/refund", "/v1%2Fapi/payments/refund",
                "/v1/v1/api/payments/refund", "/v1/api/payments/refund;x=y" })
        void noSpellingReachesTheRefundHandlerAroundItsRule(String spelling) throws IOException {
            TestHttpResponse response;
            try (TestHttpConnection connection = as(SUBSCRIPTION).connect(servletPathPort)) {
                response = connection.request("POST", spelling, "{}", Map.of("Content-Type", "application/json"));
            }
            assertThat(response.body()).as(spelling).doesNotContain("refunded");
            assertRefused(spelling, response);
        }

        @ParameterizedTest
        @ValueSource(strings = { "/actuator/health", "/V1/actuator/health", "/%761/actuator/health",
                "/v1/actuator/health/", "/v1/ACTUATOR/health", "/v1/actuator/%68ealth", "/v1;x=y/actuator/health",
                "/v1/actuator//health" })
        void noSpellingReachesTheManagementEndpointsAroundTheirRule(String spelling) throws IOException {
            TestHttpResponse response = as(ORDER).get(servletPathPort, spelling);
            assertThat(response.body()).as(spelling).doesNotContain("\"status\":\"UP\"");
            assertRefused(spelling, response);
        }

        /**
         * 400 from the firewall, 403 from the rules or 404; or 500 where Spring's own path parsing fails
         * (ServletRequestPathFilter, in front of every security chain, cannot match a raw path such as
         * '/%761/...' to the decoded servlet path '/v1'), before any handler.
         */
        private void assertRefused(String spelling, TestHttpResponse response) {
            assertThat(response.status()).as(spelling).isIn(400, 403, 404, 500);
            assertThat(response.body()).as(spelling).doesNotContain("Exception").doesNotContain("trace");
        }

        @Test
        void theErrorPageIsNoWayAroundARule() throws IOException {
            // Requested directly, the error page is a path under the servlet path like any other.
            assertThat(as(QUARANTINED).get(servletPathPort, "/v1/error").status()).isEqualTo(403);
            // An error dispatch renders the error, never the handler.
            TestHttpResponse missing = as(SUBSCRIPTION).get(servletPathPort, "/v1/api/payments/refund/nothing/here");
            assertThat(missing.status()).isIn(403, 404, 405);
            assertThat(missing.body()).doesNotContain("refunded");
            TestHttpResponse denied = as(SUBSCRIPTION).post(servletPathPort, "/v1/api/payments/refund", "{}");
            assertThat(denied.body()).contains("\"error\":\"forbidden\"").doesNotContain("refunded");
        }
    }

    /** The whole policy in dry run. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GlobalDryRun {

        ConfigurableApplicationContext dryRunApp;

        @BeforeAll
        void start() {
            dryRunApp = payments(agent).properties("spiffe.authz.dry-run=true", "spiffe.authz.log-allowed=true").run();
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
    class OwnSecurityFilterChain {

        ConfigurableApplicationContext ownChainApp;

        @BeforeAll
        void start() {
            ownChainApp = new SpringApplicationBuilder(PaymentsApplication.class, OwnChainConfiguration.class)
                .properties("server.port=0", "spring.main.banner-mode=off", "spiffe.server.client-auth=want",
                        "spiffe.workload-api.socket=" + agent.socketAddress())
                .run();
        }

        @AfterAll
        void stop() {
            ownChainApp.close();
        }

        @Test
        void theStarterBacksOffAndTheApplicationsRulesApply() throws IOException {
            assertThat(ownChainApp.getBeansOfType(org.springframework.security.web.SecurityFilterChain.class))
                .containsOnlyKeys("ownChain");
            // Only the ops namespace may call anything, by the SPIFFE_TRUST_DOMAIN/SPIFFE_ID authorities.
            assertThat(as(OPS).post(port(ownChainApp), "/api/payments/refund", "{}").body()).isEqualTo("refunded");
            assertThat(as(ORDER).post(port(ownChainApp), "/api/payments/refund", "{}").status()).isEqualTo(403);
            assertThat(agent.anonymousClient().post(port(ownChainApp), "/api/payments/refund", "{}").status())
                .isEqualTo(401);
        }
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    static class OwnChainConfiguration {

        @org.springframework.context.annotation.Bean
        org.springframework.security.web.SecurityFilterChain ownChain(
                org.springframework.security.config.annotation.web.builders.HttpSecurity http) throws Exception {
            return http.with(SpiffeHttpConfigurer.spiffe().authenticationOnly(),
                    org.springframework.security.config.Customizer.withDefaults())
                .authorizeHttpRequests(requests -> requests.anyRequest()
                    .hasAuthority(SpiffeAuthorities.ID_PREFIX + OPS))
                .build();
        }
    }

    /** Bad rules stop the application and name the property. */
    @Nested
    class ConfigurationErrors {

        @Test
        void aMalformedSpiffeId(CapturedOutput output) {
            assertStartupFails("spiffe.authz.allowed-callers[0].ids[1]=spiffe://example.org/ns//sa/x", output,
                    "spiffe.authz.allowed-callers[0].ids[1]", "path cannot contain empty segments");
        }

        @Test
        void anUppercaseTrustDomain(CapturedOutput output) {
            assertStartupFails("spiffe.authz.allowed-callers[1].ids[0]=spiffe://Example.org/sa/x", output,
                    "spiffe.authz.allowed-callers[1].ids[0]", "trust domain characters are limited");
        }

        @Test
        void aBadPattern(CapturedOutput output) {
            assertStartupFails("spiffe.authz.allowed-callers[0].ids[0]=spiffe://example.org/ns/prod*", output,
                    "spiffe.authz.allowed-callers[0].ids[0]", "wildcards must stand for whole path segments");
        }

        @Test
        void anUnknownHttpMethod(CapturedOutput output) {
            assertStartupFails("spiffe.authz.allowed-callers[0].methods[0]=FETCH", output,
                    "spiffe.authz.allowed-callers[0].methods[0]", "'FETCH' is not an HTTP method");
        }

        @Test
        void aBadPathPattern(CapturedOutput output) {
            assertStartupFails("spiffe.authz.allowed-callers[0].path=api/payments", output,
                    "spiffe.authz.allowed-callers[0].path", "must start with '/'");
        }

        @Test
        void aPathPatternThatWouldMatchLessThanItsSpringMvcMeaning(CapturedOutput output) {
            assertStartupFails("spiffe.authz.allowed-callers[0].path=/api/payments/{id:\\d+}", output,
                    "spiffe.authz.allowed-callers[0].path", "regular expression");
        }

        @Test
        void aBadRolePattern(CapturedOutput output) {
            assertStartupFails("spiffe.authz.roles.PAYMENT_ADMIN[0]=spiffe://example.org", output,
                    "spiffe.authz.roles.PAYMENT_ADMIN[0]", "/**");
        }

        private void assertStartupFails(String property, CapturedOutput output, String name, String reason) {
            List<String> properties = List.of("spiffe.workload-api.socket=" + agent.socketAddress(),
                    "spiffe.authz.allowed-callers[0].path=/a", "spiffe.authz.allowed-callers[0].ids[0]=" + ORDER,
                    "spiffe.authz.allowed-callers[0].ids[1]=" + OPS, "spiffe.authz.allowed-callers[1].path=/b",
                    "spiffe.authz.allowed-callers[1].ids[0]=" + ORDER, property);
            assertThatThrownBy(() -> RunningApplication.start(properties.toArray(String[]::new))).isNotNull();
            assertThat(output).contains("APPLICATION FAILED TO START").contains("Property: " + name)
                .contains(reason);
        }
    }

    SpiffeTestClient as(String id) {
        return agent.client(id);
    }

    static SpringApplicationBuilder payments(TestWorkloadApi agent) {
        return new SpringApplicationBuilder(PaymentsApplication.class).profiles("payments")
            .properties("server.port=0", "spring.main.banner-mode=off",
                    "spiffe.workload-api.socket=" + agent.socketAddress());
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
