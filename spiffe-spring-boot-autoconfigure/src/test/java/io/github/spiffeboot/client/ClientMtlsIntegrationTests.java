package io.github.spiffeboot.client;

import java.nio.file.Path;
import java.time.Duration;

import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.ClientApplication;
import io.github.spiffeboot.testapp.RunningApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * RestClient, RestTemplate and WebClient from the auto-configured builders, calling real mTLS servers:
 * they present the client's SVID and accept the server by SPIFFE ID.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientMtlsIntegrationTests {

    static final String PAYMENT = "spiffe://example.org/ns/production/sa/payment-service";

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    final TestCertificateAuthority ca = TestCertificateAuthority.create("example.org");

    final TestWorkloadApi serverAgent = TestWorkloadApi.create(ca);

    final TestWorkloadApi clientAgent = TestWorkloadApi.create(ca);

    RunningApplication server;

    ConfigurableApplicationContext client;

    String baseUrl;

    @BeforeAll
    void start() {
        serverAgent.identity(PAYMENT).start();
        clientAgent.identity(ORDER).start();
        server = RunningApplication.start("spiffe.workload-api.socket=" + serverAgent.socketAddress());
        baseUrl = "https://localhost:" + server.port();
        client = ClientApplication.start("spiffe.workload-api.socket=" + clientAgent.socketAddress(),
                "spiffe.client.servers.payment.url=" + baseUrl, "spiffe.client.servers.payment.ids[0]=" + PAYMENT);
    }

    @AfterAll
    void stop() {
        client.close();
        server.close();
        serverAgent.close();
        clientAgent.close();
    }

    @Test
    void restClientPresentsTheSvidAndAcceptsAServerOfItsTrustDomain() {
        RestClient restClient = client.getBean(RestClient.Builder.class).baseUrl(baseUrl).build();
        assertThat(restClient.get().uri("/whoami").retrieve().body(String.class)).isEqualTo(ORDER);
    }

    @Test
    void restClientExpectingTheServersIdGetsThrough() {
        RestClient restClient = client.getBean(RestClient.Builder.class)
            .apply(client.getBean(SpiffeRestClients.class).expecting(PAYMENT))
            .baseUrl(baseUrl)
            .build();
        assertThat(restClient.get().uri("/whoami").retrieve().body(String.class)).isEqualTo(ORDER);
    }

    @Test
    void aServerConfiguredInYamlIsReachedWithItsUrlAndId() {
        RestClient restClient = client.getBean(RestClient.Builder.class)
            .apply(client.getBean(SpiffeRestClients.class).server("payment"))
            .build();
        assertThat(restClient.get().uri("/whoami").retrieve().body(String.class)).isEqualTo(ORDER);
    }

    @Test
    void anUnexpectedServerIdFailsTheCallSayingWhichWasExpectedAndWhichPresented() {
        String expected = "spiffe://example.org/ns/production/sa/billing-service";
        RestClient restClient = client.getBean(RestClient.Builder.class)
            .apply(client.getBean(SpiffeRestClients.class).expecting(expected))
            .baseUrl(baseUrl)
            .build();
        assertThatThrownBy(() -> restClient.get().uri("/whoami").retrieve().body(String.class))
            .isInstanceOf(ResourceAccessException.class)
            .hasMessageContaining("expected " + expected)
            .hasMessageContaining("presented " + PAYMENT);
    }

    @Test
    void aServerFromAForeignAuthorityIsRefused() {
        TestWorkloadApi foreignAgent = TestWorkloadApi.create("example.org").identity(PAYMENT).start();
        try (RunningApplication foreign = RunningApplication
            .start("spiffe.workload-api.socket=" + foreignAgent.socketAddress())) {
            RestClient restClient = client.getBean(RestClient.Builder.class)
                .baseUrl("https://localhost:" + foreign.port())
                .build();
            assertThatThrownBy(() -> restClient.get().uri("/whoami").retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .hasMessageContaining("server presented a certificate for " + PAYMENT)
                .hasMessageContaining("does not verify");
        }
        finally {
            foreignAgent.close();
        }
    }

    @Test
    void aServerWithoutSvidIsRefused(@TempDir Path directory) throws Exception {
        TestSvid plain = ca.issue(SvidSpec.withoutUri());
        plain.writePem(directory.resolve("cert.pem"), directory.resolve("key.pem"));
        try (RunningApplication plainTls = RunningApplication.start(
                "spiffe.workload-api.socket=" + serverAgent.socketAddress(),
                "server.ssl.certificate=file:" + directory.resolve("cert.pem"),
                "server.ssl.certificate-private-key=file:" + directory.resolve("key.pem"))) {
            RestClient restClient = client.getBean(RestClient.Builder.class)
                .baseUrl("https://localhost:" + plainTls.port())
                .build();
            assertThatThrownBy(() -> restClient.get().uri("/whoami").retrieve().body(String.class))
                .isInstanceOf(ResourceAccessException.class)
                .hasMessageContaining("server presented a certificate without a valid SPIFFE ID");
        }
    }

    @Test
    void restTemplateFromTheBuilderSpeaksSpiffeMtls() {
        var restTemplate = client.getBean(RestTemplateBuilder.class).rootUri(baseUrl).build();
        assertThat(restTemplate.getForObject("/whoami", String.class)).isEqualTo(ORDER);
    }

    @Test
    void webClientFromTheBuilderSpeaksSpiffeMtls() {
        WebClient webClient = client.getBean(WebClient.Builder.class).baseUrl(baseUrl).build();
        assertThat(webClient.get().uri("/whoami").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
            .isEqualTo(ORDER);
        WebClient wrong = client.getBean(WebClient.Builder.class)
            .apply(client.getBean(SpiffeWebClients.class).expecting("spiffe://example.org/other"))
            .baseUrl(baseUrl)
            .build();
        assertThatThrownBy(() -> wrong.get().uri("/whoami").retrieve().bodyToMono(String.class)
            .block(Duration.ofSeconds(10))).hasStackTraceContaining("expected spiffe://example.org/other")
            .hasStackTraceContaining("presented " + PAYMENT);
    }

    @Test
    void newConnectionsPresentTheRotatedSvidWithoutRebuildingTheClient() {
        RestClient restClient = client.getBean(RestClient.Builder.class).baseUrl(baseUrl).build();
        String before = restClient.get().uri("/client-serial").retrieve().body(String.class);
        assertThat(before).isEqualTo(clientAgent.currentSvid().leaf().getSerialNumber().toString(16));
        TestSvid rotated = clientAgent.rotate();
        String expected = rotated.leaf().getSerialNumber().toString(16);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> expected.equals(restClient.get().uri("/client-serial").retrieve().body(String.class)));
    }
}
