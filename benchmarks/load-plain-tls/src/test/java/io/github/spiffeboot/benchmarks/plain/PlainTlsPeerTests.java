package io.github.spiffeboot.benchmarks.plain;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpConnection;
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

/** The plain TLS baseline serves the PEM bundle's certificate and requires a client certificate, nothing more. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PlainTlsPeerTests {

    static final TestCertificateAuthority CA = TestCertificateAuthority.create("example.org");

    static final TestSvid SERVER = CA.issue("spiffe://example.org/ns/production/sa/payment-service", Duration.ofHours(1));

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void pki(DynamicPropertyRegistry registry) throws IOException {
        Path directory = Files.createTempDirectory("plain-peer");
        SERVER.writePem(directory.resolve("server.pem"), directory.resolve("server-key.pem"));
        new TestSvid(CA.bundle(), null).writePem(directory.resolve("bundle.pem"), null);
        registry.add("BENCHMARK_PKI_DIR", directory::toString);
    }

    @Test
    void chargesOverMutualTlsWithTheBundlesServerCertificateAndNoCookie() throws IOException {
        SpiffeTestClient client = SpiffeTestClient.withSvid(
                CA.issue("spiffe://example.org/ns/production/sa/order-service", Duration.ofHours(1)), CA.bundle());
        try (TestHttpConnection connection = client.connect(port)) {
            assertThat(connection.serverCertificate()).isEqualTo(SERVER.leaf());
            TestHttpResponse response = connection.post("/api/payments/charge", "{\"orderId\":\"o-1\"}");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("charged").contains("o-1");
            assertThat(response.headers()).doesNotContainKey("set-cookie");
        }
    }

    @Test
    void rejectsACallerWithoutCertificateInTheHandshake() {
        assertThatThrownBy(() -> SpiffeTestClient.withoutSvid(CA.bundle()).post(port, "/api/payments/charge", "{}"))
            .isInstanceOf(IOException.class);
    }

    @Test
    void rejectsACertificateFromAnotherCa() {
        TestCertificateAuthority other = TestCertificateAuthority.create("example.org");
        SpiffeTestClient stranger = SpiffeTestClient.withSvid(
                other.issue("spiffe://example.org/ns/production/sa/order-service", Duration.ofHours(1)), CA.bundle());
        assertThatThrownBy(() -> stranger.post(port, "/api/payments/charge", "{}")).isInstanceOf(IOException.class);
    }

    @Test
    void servesPrometheusOnTheManagementPortWithoutCertificate() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("tomcat_sessions_active_current_sessions");
    }
}
