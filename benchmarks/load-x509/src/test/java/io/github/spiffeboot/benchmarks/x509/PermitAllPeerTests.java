package io.github.spiffeboot.benchmarks.x509;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestSvid;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The benchmark's "security" peer: a Spring Security chain that runs but decides nothing. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles(SecurityConfiguration.PERMIT_ALL)
class PermitAllPeerTests {

    static final TestCertificateAuthority CA = TestCertificateAuthority.create("example.org");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void pki(DynamicPropertyRegistry registry) throws IOException {
        Path directory = Files.createTempDirectory("permit-all-peer");
        CA.issue("spiffe://example.org/ns/production/sa/payment-service", Duration.ofHours(1))
            .writePem(directory.resolve("server.pem"), directory.resolve("server-key.pem"));
        new TestSvid(CA.bundle(), null).writePem(directory.resolve("bundle.pem"), null);
        registry.add("BENCHMARK_PKI_DIR", directory::toString);
    }

    @Test
    void chargesForEveryCallerThroughSpringSecuritysFiltersWithoutACookie() throws IOException {
        TestHttpResponse order = client(SvidSpec.forId(SecurityConfiguration.ORDER))
            .post(port, "/api/payments/charge", "{\"orderId\":\"o-1\"}");
        TestHttpResponse storefront = client(SvidSpec.forId("spiffe://example.org/ns/production/sa/storefront"))
            .post(port, "/api/payments/refund", "{}");
        assertThat(order.status()).isEqualTo(200);
        assertThat(order.body()).contains("\"caller\":\"anonymous\"");
        assertThat(storefront.status()).isEqualTo(200);
        // Spring Security's default headers prove the request went through its chain.
        assertThat(order.headers()).containsKey("x-content-type-options").doesNotContainKey("set-cookie");
        assertThat(storefront.headers()).doesNotContainKey("set-cookie");
    }

    @Test
    void stillNeedsAClientCertificateInTheHandshake() {
        assertThatThrownBy(() -> SpiffeTestClient.withoutSvid(CA.bundle()).post(port, "/api/payments/charge", "{}"))
            .isInstanceOf(IOException.class);
    }

    private static SpiffeTestClient client(SvidSpec spec) {
        return SpiffeTestClient.withSvid(CA.issue(spec), CA.bundle());
    }
}
