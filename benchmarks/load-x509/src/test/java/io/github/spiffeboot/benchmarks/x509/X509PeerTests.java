package io.github.spiffeboot.benchmarks.x509;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestSvid;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The x509() peer is the stateless, allowlisted API the load benchmark claims it is: real mTLS handshakes
 * against the packaged configuration, with certificates from the test CA.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class X509PeerTests {

    static final TestCertificateAuthority CA = TestCertificateAuthority.create("example.org");

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void pki(DynamicPropertyRegistry registry) throws IOException {
        Path directory = Files.createTempDirectory("x509-peer");
        CA.issue("spiffe://example.org/ns/production/sa/payment-service", Duration.ofHours(1))
            .writePem(directory.resolve("server.pem"), directory.resolve("server-key.pem"));
        new TestSvid(CA.bundle(), null).writePem(directory.resolve("bundle.pem"), null);
        registry.add("BENCHMARK_PKI_DIR", directory::toString);
    }

    @Test
    void chargesForAnAllowedCallerWithoutSettingACookie() throws IOException {
        TestHttpResponse response = client(SvidSpec.forId(SecurityConfiguration.ORDER))
            .post(port, "/api/payments/charge", "{\"orderId\":\"o-1\"}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"caller\":\"" + SecurityConfiguration.ORDER + "\"");
        assertThat(response.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void deniesACallerNotOnTheEndpointsAllowlistWith403AndNoCookie() throws IOException {
        TestHttpResponse refund = client(SvidSpec.forId(SecurityConfiguration.SUBSCRIPTION))
            .post(port, "/api/payments/refund", "{}");
        TestHttpResponse charge = client(SvidSpec.forId("spiffe://example.org/ns/production/sa/storefront"))
            .post(port, "/api/payments/charge", "{}");
        assertThat(List.of(refund.status(), charge.status())).containsExactly(403, 403);
        assertThat(refund.headers()).doesNotContainKey("set-cookie");
        assertThat(charge.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void answers401ToATrustedCertificateWithoutSpiffeId() throws IOException {
        TestHttpResponse response = client(SvidSpec.withoutUri()).post(port, "/api/payments/charge", "{}");
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void answers401ToACertificateWithTwoUriSans() throws IOException {
        TestHttpResponse response = client(SvidSpec.forId(SecurityConfiguration.ORDER).addUri("spiffe://example.org/other"))
            .post(port, "/api/payments/charge", "{}");
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void deniesEndpointsNoRuleNames() throws IOException {
        TestHttpResponse response = client(SvidSpec.forId(SecurityConfiguration.ORDER)).get(port, "/api/payments/p-1/notes");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void rejectsACallerWithoutCertificateInTheHandshake() {
        assertThatThrownBy(() -> SpiffeTestClient.withoutSvid(CA.bundle()).post(port, "/api/payments/charge", "{}"))
            .isInstanceOf(IOException.class);
    }

    @Test
    void servesPrometheusOnTheManagementPortWithoutCertificate() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("tomcat_sessions_active_current_sessions");
    }

    private static SpiffeTestClient client(SvidSpec spec) {
        return SpiffeTestClient.withSvid(CA.issue(spec), CA.bundle());
    }
}
