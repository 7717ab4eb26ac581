package io.github.spiffeboot.security;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.StatelessProbeApplication;
import io.github.spiffeboot.testapp.StatelessProbeApplication.SessionCounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Callers authenticate with their certificate on every request, and only with it: the chains the starter
 * builds never create an HTTP session or send a cookie, whatever the response (allowed, 401, 403, 404,
 * error, async), and even where an application keeps sessions, a session never stands in for a
 * certificate. Real mTLS requests with {@code client-auth: want}, so that requests without a certificate
 * reach the application.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatelessSecurityIntegrationTests {

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String SUBSCRIPTION = "spiffe://example.org/ns/production/sa/subscription-service";

    final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    @BeforeAll
    void startAgent() {
        agent.identity("spiffe://example.org/ns/production/sa/payment-service").start();
    }

    @AfterAll
    void stopAgent() {
        agent.close();
    }

    /** What every chain the starter builds or helps build must do. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract class StatelessChain {

        ConfigurableApplicationContext app;

        int port;

        abstract SpringApplicationBuilder application();

        @BeforeAll
        void startApplication() {
            app = application().properties("server.port=0", "spring.main.banner-mode=off",
                    "spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.server.client-auth=want",
                    "spiffe.authz.allowed-callers[0].path=/api/**", "spiffe.authz.allowed-callers[0].ids[0]=" + ORDER)
                .run();
            port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        }

        @AfterAll
        void stopApplication() {
            app.close();
        }

        @ParameterizedTest(name = "{0} {1} -> {2}")
        @CsvSource({ ORDER + ", /api/me, 200", SUBSCRIPTION + ", /api/me, 403", "none, /api/me, 401",
                ORDER + ", /api/not-here, 404", ORDER + ", /api/boom, 500", ORDER + ", /api/callable, 200",
                ORDER + ", /api/deferred, 200", SUBSCRIPTION + ", /api/callable, 403", "none, /api/deferred, 401" })
        void noResponseCarriesACookieAndNoSessionIsCreated(String caller, String path, int status) throws IOException {
            int sessionsBefore = app.getBean(SessionCounter.class).created();
            TestHttpResponse response = client(caller).get(port, path);
            assertThat(response.status()).isEqualTo(status);
            assertThat(response.headers()).doesNotContainKey("set-cookie");
            assertThat(app.getBean(SessionCounter.class).created()).isEqualTo(sessionsBefore);
        }

        @Test
        void asyncEndpointsSeeTheCallerAndTheirAsyncDispatchIsAuthorized() throws IOException {
            assertThat(as(ORDER).get(port, "/api/callable").body()).isEqualTo("callable " + ORDER);
            assertThat(as(ORDER).get(port, "/api/deferred").body()).isEqualTo("deferred " + ORDER);
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
                assertThat(connection.get("/api/me").body()).isEqualTo(ORDER);
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), intermediateExpiry).toMillis()) + 1_100);
                TestHttpResponse expired = connection.get("/api/me");
                assertThat(expired.status()).isEqualTo(401);
                // A connection whose certificate no longer verifies is of no further use: the client reconnects.
                assertThat(expired.header("connection")).isEqualTo("close");
            }
        }

        @Test
        void aKeepAliveConnectionIsClosedNearTheEndOfItsCertificateWithoutFailingARequest() throws Exception {
            // Valid for 6 s: the connection is renewed four fifths in, long after an agent rotates (half-life).
            Instant now = Instant.now();
            SpiffeTestClient client = SpiffeTestClient.withSvid(
                    agent.authority().issue(SvidSpec.forId(ORDER).validity(now.minusSeconds(1), now.plusSeconds(5))),
                    agent.trustedAuthorities());
            try (TestHttpConnection connection = client.connect(port)) {
                TestHttpResponse early = connection.get("/api/me");
                assertThat(early.body()).isEqualTo(ORDER);
                assertThat(early.header("connection")).isNull();
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), now.plusMillis(3_900)).toMillis()));
                TestHttpResponse late = connection.get("/api/me");
                assertThat(late.body()).isEqualTo(ORDER);
                assertThat(late.header("connection")).isEqualTo("close");
                assertThatThrownBy(() -> connection.get("/api/me")).isInstanceOf(IOException.class);
            }
        }

        SpiffeTestClient client(String caller) {
            return "none".equals(caller) ? agent.anonymousClient() : as(caller);
        }
    }

    @Nested
    class DefaultChain extends StatelessChain {

        @Override
        SpringApplicationBuilder application() {
            return new SpringApplicationBuilder(StatelessProbeApplication.class);
        }
    }

    @Nested
    class ApplicationChainWithTheConfigurer extends StatelessChain {

        @Override
        SpringApplicationBuilder application() {
            return new SpringApplicationBuilder(StatelessProbeApplication.class, ConfigurerChain.class);
        }

        @Test
        void theApplicationsChainIsTheOneInPlace() {
            assertThat(app.getBeansOfType(SecurityFilterChain.class)).containsOnlyKeys("apiChain");
        }
    }

    /**
     * An application that asks for sessions in its own chain gets them, but the identity in a session is
     * never used: it comes from the connection's certificate on every request.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ApplicationChainThatKeepsSessions {

        ConfigurableApplicationContext app;

        int port;

        @BeforeAll
        void startApplication() {
            app = new SpringApplicationBuilder(StatelessProbeApplication.class, SessionKeepingChain.class)
                .properties("server.port=0", "spring.main.banner-mode=off",
                        "spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.server.client-auth=want",
                        "spiffe.authz.allowed-callers[0].path=/api/**",
                        "spiffe.authz.allowed-callers[0].ids[0]=" + ORDER)
                .run();
            port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        }

        @AfterAll
        void stopApplication() {
            app.close();
        }

        @Test
        void aSessionCookieWithoutACertificateIsUnauthenticated() throws IOException {
            String cookie = sessionCookieOf(ORDER);
            TestHttpResponse replay;
            try (TestHttpConnection connection = agent.anonymousClient().connect(port)) {
                replay = connection.request("GET", "/api/me", null, Map.of("Cookie", cookie));
            }
            assertThat(replay.status()).isEqualTo(401);
        }

        @Test
        void aSessionCookieOfAnotherCallerDoesNotChangeWhoTheCertificateSays() throws IOException {
            String cookie = sessionCookieOf(ORDER);
            TestHttpResponse response;
            try (TestHttpConnection connection = as(SUBSCRIPTION).connect(port)) {
                response = connection.request("GET", "/api/me", null, Map.of("Cookie", cookie));
            }
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.body()).contains("\"caller\":\"" + SUBSCRIPTION + "\"");
        }

        private String sessionCookieOf(String caller) throws IOException {
            TestHttpResponse first = as(caller).get(port, "/api/me");
            assertThat(first.body()).isEqualTo(caller);
            String setCookie = first.header("set-cookie");
            assertThat(setCookie).as("the application's chain keeps sessions").startsWith("JSESSIONID=");
            return setCookie.substring(0, setCookie.indexOf(';'));
        }
    }

    SpiffeTestClient as(String id) {
        return agent.client(id);
    }

    @Configuration(proxyBeanMethods = false)
    static class ConfigurerChain {

        @Bean
        SecurityFilterChain apiChain(HttpSecurity http) throws Exception {
            return http.with(SpiffeHttpConfigurer.spiffe(), Customizer.withDefaults()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SessionKeepingChain {

        @Bean
        SecurityFilterChain sessionChain(HttpSecurity http) throws Exception {
            return http.with(SpiffeHttpConfigurer.spiffe(), Customizer.withDefaults())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.ALWAYS))
                .build();
        }
    }
}
