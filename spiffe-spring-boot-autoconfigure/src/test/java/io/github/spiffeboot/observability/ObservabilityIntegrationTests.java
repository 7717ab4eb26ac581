package io.github.spiffeboot.observability;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.RunningApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Metrics, health and readiness of an application with the starter, read the way Prometheus and a
 * kubelet would: over plain HTTP on the management port, without a client certificate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class ObservabilityIntegrationTests {

    static final String SERVER = "spiffe://example.org/ns/production/sa/payment-service";

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String[] MANAGEMENT = { "management.server.port=0",
            "management.endpoints.web.exposure.include=health,info,prometheus",
            "management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true" };

    final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    final HttpClient http = HttpClient.newHttpClient();

    RunningApplication app;

    @BeforeAll
    void start() {
        agent.identity(SERVER).start();
        app = launch(with(MANAGEMENT, "spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.authz.default-policy=deny", "spiffe.authz.allowed-callers[0].name=whoami",
                "spiffe.authz.allowed-callers[0].path=/whoami", "spiffe.authz.allowed-callers[0].ids[0]=" + ORDER));
    }

    /** Starts the application under test; the reactive suite runs the same tests on Reactor Netty. */
    protected RunningApplication launch(String... properties) {
        return RunningApplication.start(properties);
    }

    @AfterAll
    void stop() {
        app.close();
        agent.close();
    }

    @Test
    void prometheusShowsTheSvidExpiryAndTheConnection() throws Exception {
        String metrics = scrape(app);
        double secondsLeft = (agent.currentSvid().leaf().getNotAfter().getTime() - System.currentTimeMillis()) / 1000.0;
        assertThat(gauge(metrics, "spiffe_svid_expiry_seconds")).isBetween(secondsLeft - 5, secondsLeft + 1);
        assertThat(metrics).contains("spiffe_workload_api_connected 1.0");
    }

    @Test
    void aRotationIncrementsTheCounterAndResetsTheExpiryGauge() throws Exception {
        double before = counter(scrape(app), "spiffe_svid_rotations_total");
        agent.svidTtl(Duration.ofHours(2)).rotate();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> counter(scrape(app), "spiffe_svid_rotations_total") == before + 1);
        assertThat(gauge(scrape(app), "spiffe_svid_expiry_seconds")).isBetween(7100.0, 7201.0);
        agent.svidTtl(Duration.ofHours(1));
    }

    @Test
    void authorizationDecisionsAreCountedByOutcomeAndRule() throws Exception {
        String denied = "spiffe_authz_decisions_total{outcome=\"DENY\",rule=\"whoami\",transport=\"http\"}";
        String allowed = "spiffe_authz_decisions_total{outcome=\"ALLOW\",rule=\"whoami\",transport=\"http\"}";
        double deniedBefore = counter(scrape(app), denied);
        double allowedBefore = counter(scrape(app), allowed);
        assertThat(agent.client("spiffe://example.org/ns/production/sa/other").get(app.port(), "/whoami").status())
            .isEqualTo(403);
        assertThat(agent.client(ORDER).get(app.port(), "/whoami").status()).isEqualTo(200);
        String metrics = scrape(app);
        assertThat(counter(metrics, denied)).isEqualTo(deniedBefore + 1);
        assertThat(counter(metrics, allowed)).isEqualTo(allowedBefore + 1);
        assertThat(metrics).doesNotContain("caller=");
    }

    @Test
    void requestsAreTimedAndDecisionsCountedWithoutSpringSecuritysPerFilterObservations() throws Exception {
        assertThat(agent.client(ORDER).get(app.port(), "/whoami").status()).isEqualTo(200);
        String metrics = scrape(app);
        assertThat(metrics).contains("http_server_requests_seconds_count").contains("spiffe_authz_decisions_total");
        assertThat(metrics).doesNotContain("spring_security_");
    }

    @Test
    void rejectedHandshakesAreCountedByReason() throws Exception {
        String noCertificate = "spiffe_tls_handshake_rejections_total{reason=\"NO_CERTIFICATE\"}";
        String untrusted = "spiffe_tls_handshake_rejections_total{reason=\"UNTRUSTED_CHAIN\"}";
        double noCertificateBefore = counter(scrape(app), noCertificate);
        double untrustedBefore = counter(scrape(app), untrusted);
        assertThatThrownBy(() -> agent.anonymousClient().get(app.port(), "/whoami")).isInstanceOf(IOException.class);
        var foreign = io.github.spiffeboot.test.SpiffeTestClient.withSvid(
                TestCertificateAuthority.create("example.org").issue(ORDER, Duration.ofMinutes(5)),
                agent.trustedAuthorities());
        assertThatThrownBy(() -> foreign.get(app.port(), "/whoami")).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String metrics = scrape(app);
            assertThat(counter(metrics, noCertificate)).isEqualTo(noCertificateBefore + 1);
            assertThat(counter(metrics, untrusted)).isEqualTo(untrustedBefore + 1);
        });
    }

    @Test
    void healthIsReachableWithoutCertificateOnTheManagementPortAndNothingElseIs() throws Exception {
        HttpResponse<String> health = get(app, "/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"spiffe\":{").contains("\"spiffeId\":\"" + SERVER + "\"");
        assertThat(get(app, "/actuator").statusCode()).isIn(401, 403);
    }

    @Test
    void theManagementPortOpensNoSession() throws Exception {
        for (String path : new String[] { "/actuator/health", "/actuator/prometheus", "/actuator", "/actuator/nothing" }) {
            assertThat(get(app, path).headers().firstValue("set-cookie")).as(path).isEmpty();
        }
    }

    /**
     * Probes and scrapers keep their connection open: answered and refused requests, some completed on another
     * thread (health, Prometheus), follow each other on one connection and each gets its answer. Reactor Netty
     * 1.3.7 left such a request unanswered (reactor/reactor-netty#4361); the build pins 1.3.8.
     */
    @Test
    void everyRequestOnAKeepAliveConnectionIsAnswered() throws Exception {
        int port = Integer.parseInt(app.context().getEnvironment().getProperty("local.management.port"));
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(5000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int round = 0; round < 30; round++) { // under Tomcat's 100 requests per connection
                for (String path : new String[] { "/actuator/health", "/actuator/nothing", "/actuator/prometheus" }) {
                    socket.getOutputStream()
                        .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    String head = readHead(in);
                    assertThat(head).as(path + " in round " + round).startsWith(path.equals("/actuator/nothing")
                            ? "HTTP/1.1 40" : "HTTP/1.1 200");
                    assertThat(head).as(path).doesNotContainIgnoringCase("set-cookie");
                    skipBody(in, head);
                }
            }
        }
    }

    /** Reads past a body sent with a length (Reactor Netty) or in chunks (Tomcat). */
    private static void skipBody(InputStream in, String head) throws IOException {
        Matcher length = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(head);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
            return;
        }
        assertThat(head).containsIgnoringCase("transfer-encoding: chunked");
        for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
            in.readNBytes(size + 2);
        }
        readLine(in);
    }

    private static int chunkSize(InputStream in) throws IOException {
        return Integer.parseInt(readLine(in).trim(), 16);
    }

    private static String readLine(InputStream in) throws IOException {
        return readUntil(in, "\r\n");
    }

    private static String readHead(InputStream in) throws IOException {
        return readUntil(in, "\r\n\r\n");
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < end.length() || !head.substring(head.length() - end.length()).equals(end)) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.append((char) next);
        }
        return head.toString();
    }

    @Test
    void theApplicationPortStillRequiresAnSvid() throws Exception {
        assertPlainHttpIsRefused(app.port());
        assertThatThrownBy(() -> agent.anonymousClient().get(app.port(), "/actuator/health"))
            .isInstanceOf(IOException.class);
    }

    /** Plain HTTP to the TLS port: Tomcat answers 400 without passing the request on. */
    protected void assertPlainHttpIsRefused(int port) throws Exception {
        HttpResponse<String> plain = http.send(HttpRequest
            .newBuilder(URI.create("http://localhost:" + port + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(400);
        assertThat(plain.body()).doesNotContain("spiffe");
    }

    /** An SVID that expires while the agent is gone, and an agent that comes back. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class AgentGone {

        final TestWorkloadApi shortLived = TestWorkloadApi.create("example.org");

        RunningApplication shortApp;

        @BeforeAll
        void start() {
            shortLived.svidTtl(Duration.ofSeconds(6)).identity(SERVER).start();
            shortApp = launch(with(MANAGEMENT,
                    "spiffe.workload-api.socket=" + shortLived.socketAddress()));
        }

        @AfterAll
        void stop() {
            shortApp.close();
            shortLived.close();
        }

        @Test
        void healthWarnsThenGoesDownAndReadinessFollowsThenBothRecover() throws Exception {
            // A fresh 6 s SVID right before the agent goes (a slow start may have used up the first one).
            shortLived.rotate();
            await().atMost(Duration.ofSeconds(5))
                .until(() -> get(shortApp, "/actuator/health").body().contains("\"status\":\"UP\""));
            assertThat(get(shortApp, "/actuator/health/readiness").statusCode()).isEqualTo(200);
            shortLived.stop();
            await().atMost(Duration.ofSeconds(8))
                .until(() -> get(shortApp, "/actuator/health").body().contains("\"status\":\"WARNING\""));
            assertThat(get(shortApp, "/actuator/health").statusCode()).isEqualTo(200);
            // The stream ends CANCELLED; UNAVAILABLE comes with the first reconnect, a backoff later.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(scrape(shortApp))
                .contains("spiffe_workload_api_connected 0.0")
                .contains("spiffe_workload_api_errors_total{code=\"UNAVAILABLE\"}"));

            await().atMost(Duration.ofSeconds(15)).until(() -> get(shortApp, "/actuator/health").statusCode() == 503);
            assertThat(get(shortApp, "/actuator/health").body()).contains("\"status\":\"DOWN\"").contains("expired");
            await().atMost(Duration.ofSeconds(5))
                .until(() -> get(shortApp, "/actuator/health/readiness").statusCode() == 503);

            shortLived.svidTtl(Duration.ofHours(1)).rotate();
            shortLived.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> get(shortApp, "/actuator/health").statusCode() == 200
                    && get(shortApp, "/actuator/health").body().contains("\"status\":\"UP\""));
            await().atMost(Duration.ofSeconds(5))
                .until(() -> get(shortApp, "/actuator/health/readiness").statusCode() == 200);
        }
    }

    /** JWT-SVIDs from a trusted gateway: validations counted by reason, bundle freshness and health. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class JwtSvids {

        static final String GATEWAY = "spiffe://example.org/ns/edge/sa/gateway";

        final TestWorkloadApi jwtAgent = TestWorkloadApi.create("example.org");

        RunningApplication jwtApp;

        @BeforeAll
        void start() {
            jwtAgent.identity(SERVER).start();
            jwtApp = RunningApplication.start(with(MANAGEMENT, "spiffe.workload-api.socket=" + jwtAgent.socketAddress(),
                    "spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + SERVER, "spiffe.jwt.trusted-proxies=" + GATEWAY));
        }

        @AfterAll
        void stop() {
            jwtApp.close();
            jwtAgent.close();
        }

        @Test
        void tokenValidationsAreCountedByOutcomeAndBoundedReason() throws Exception {
            String accepted = "spiffe_jwt_validations_total{outcome=\"accepted\",reason=\"none\"}";
            String audience = "spiffe_jwt_validations_total{outcome=\"refused\",reason=\"AUDIENCE\"}";
            String missing = "spiffe_jwt_validations_total{outcome=\"refused\",reason=\"MISSING\"}";
            String before = scrape(jwtApp);
            var gateway = jwtAgent.client(GATEWAY);
            assertThat(gateway.bearer(jwtAgent.jwtSvid(ORDER, SERVER)).get(jwtApp.port(), "/whoami").status())
                .isEqualTo(200);
            assertThat(gateway.bearer(jwtAgent.jwtSvid(ORDER, "spiffe://example.org/other")).get(jwtApp.port(), "/whoami")
                .status()).isEqualTo(401);
            assertThat(gateway.get(jwtApp.port(), "/whoami").status()).isEqualTo(401);
            String after = scrape(jwtApp);
            assertThat(counter(after, accepted)).isEqualTo(counter(before, accepted) + 1);
            assertThat(counter(after, audience)).isEqualTo(counter(before, audience) + 1);
            assertThat(counter(after, missing)).isEqualTo(counter(before, missing) + 1);
            assertThat(after).doesNotContain(ORDER);
        }

        @Test
        void bundleFreshnessAndKeysAreGaugedAndTheStreamIsInTheHealth() throws Exception {
            String metrics = scrape(jwtApp);
            assertThat(gauge(metrics, "spiffe_jwt_bundles_age_seconds")).isBetween(0.0, 600.0);
            assertThat(gauge(metrics, "spiffe_jwt_bundles_keys")).isGreaterThanOrEqualTo(1.0);
            assertThat(metrics).contains("spiffe_jwt_workload_api_connected 1.0");
            jwtAgent.rotateJwtKey();
            await().atMost(Duration.ofSeconds(5))
                .until(() -> gauge(scrape(jwtApp), "spiffe_jwt_bundles_keys") == 2.0
                        && gauge(scrape(jwtApp), "spiffe_jwt_bundles_age_seconds") < 5);
            // The shape e2e/spire/run.sh reads: components.spiffeJwt.{status, details.workloadApiState, details.trustDomains}.
            assertThat(get(jwtApp, "/actuator/health").body()).containsPattern("\"components\":\\{.*\"spiffeJwt\":\\{")
                .contains("\"trustDomains\":{")
                .contains("\"spiffeJwt\"")
                .contains("\"workloadApiState\":\"CONNECTED\"")
                .contains("\"example.org\":2");
        }
    }

    private String scrape(RunningApplication application) throws Exception {
        HttpResponse<String> response = get(application, "/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> get(RunningApplication application, String path) throws Exception {
        String port = application.context().getEnvironment().getProperty("local.management.port");
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    static double gauge(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.E+-]+)$").matcher(metrics);
        assertThat(matcher.find()).as(name + " in\n" + metrics).isTrue();
        return Double.parseDouble(matcher.group(2));
    }

    static double counter(String metrics, String series) {
        String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
        String labels = series.contains("{") ? series.substring(series.indexOf('{') + 1, series.length() - 1) : "";
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                String lineLabels = line.contains("{") ? line.substring(line.indexOf('{') + 1, line.indexOf('}')) : "";
                boolean all = true;
                for (String label : labels.isEmpty() ? new String[0] : labels.split(",")) {
                    all &= ("," + lineLabels + ",").contains("," + label + ",");
                }
                if (all) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return 0;
    }

    static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
