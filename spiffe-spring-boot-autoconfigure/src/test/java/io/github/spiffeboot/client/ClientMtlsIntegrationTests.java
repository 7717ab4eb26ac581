package io.github.spiffeboot.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestTlsServer;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.testapp.ClientApplication;
import io.github.spiffeboot.testapp.RunningApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
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
    void aServerConfiguredInYamlIsReachedByWebClientWithItsUrlAndId() {
        WebClient webClient = client.getBean(WebClient.Builder.class)
            .apply(client.getBean(SpiffeWebClients.class).server("payment"))
            .build();
        assertThat(webClient.get().uri("/whoami").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)))
            .isEqualTo(ORDER);
    }

    @Test
    void everyClientForAServerConfiguredInYamlRefusesAServerPresentingAnotherId() {
        // Same URL, but the YAML entry expects another ID: the named server's IDs are enforced, not the defaults.
        try (ConfigurableApplicationContext strict = ClientApplication.start(
                "spiffe.workload-api.socket=" + clientAgent.socketAddress(), "spiffe.client.servers.billing.url=" + baseUrl,
                "spiffe.client.servers.billing.ids[0]=spiffe://example.org/ns/production/sa/billing-service")) {
            WebClient webClient = strict.getBean(WebClient.Builder.class)
                .apply(strict.getBean(SpiffeWebClients.class).server("billing"))
                .build();
            assertThatThrownBy(() -> webClient.get().uri("/whoami").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10))).hasStackTraceContaining("presented " + PAYMENT);
            RestClient restClient = strict.getBean(RestClient.Builder.class)
                .apply(strict.getBean(SpiffeRestClients.class).server("billing"))
                .build();
            assertThatThrownBy(() -> restClient.get().uri("/whoami").retrieve().body(String.class))
                .hasStackTraceContaining("presented " + PAYMENT);
            // A RestTemplate's builder settings must survive build(): the default factory must not replace them.
            RestTemplate restTemplate = strict.getBean(SpiffeRestTemplates.class)
                .server("billing", strict.getBean(RestTemplateBuilder.class))
                .build();
            assertThatThrownBy(() -> restTemplate.getForObject("/whoami", String.class))
                .hasStackTraceContaining("presented " + PAYMENT);
        }
    }

    @Test
    void anUnknownServerNameIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> client.getBean(SpiffeWebClients.class).server("billing"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("no server 'billing' under spiffe.client.servers; known: [payment]");
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

    /**
     * Outgoing JWT-SVIDs: the payment server treats the order client as a trusted proxy, so the caller it
     * sees is the sub of the forwarded token, with credential jwt-svid; without a token it would be refused.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class JwtSvids {

        RunningApplication jwtServer;

        /** Behind a TLS-terminating hop: JWT-only, and no client certificate asked for. */
        RunningApplication jwtOnlyServer;

        ConfigurableApplicationContext jwtClient;

        @BeforeAll
        void start() {
            jwtServer = RunningApplication.start("spiffe.workload-api.socket=" + serverAgent.socketAddress(),
                    "spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + PAYMENT,
                    "spiffe.jwt.trusted-proxies=" + ORDER);
            jwtOnlyServer = RunningApplication.start("spiffe.workload-api.socket=" + serverAgent.socketAddress(),
                    "spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + PAYMENT, "spiffe.jwt.jwt-only=true",
                    "spiffe.server.client-auth=want");
            String url = "https://localhost:" + jwtServer.port();
            String jwtOnlyUrl = "https://localhost:" + jwtOnlyServer.port();
            String servers = "spiffe.client.servers.";
            jwtClient = ClientApplication.start("spiffe.workload-api.socket=" + clientAgent.socketAddress(),
                    "spiffe.jwt.enabled=true", servers + "payment.url=" + url, servers + "payment.ids[0]=" + PAYMENT,
                    servers + "payment.jwt-audience=" + PAYMENT,
                    servers + "plain.url=" + url, servers + "plain.ids[0]=" + PAYMENT,
                    servers + "edge.url=" + jwtOnlyUrl, servers + "edge.ids[0]=" + PAYMENT,
                    servers + "edge.jwt-audience=" + PAYMENT, servers + "edge.client-svid=false",
                    servers + "edge-wrong-id.url=" + jwtOnlyUrl, servers + "edge-wrong-id.ids[0]=" + ORDER,
                    servers + "edge-wrong-id.jwt-audience=" + PAYMENT, servers + "edge-wrong-id.client-svid=false",
                    servers + "mtls-only-server.url=" + url, servers + "mtls-only-server.ids[0]=" + PAYMENT,
                    servers + "mtls-only-server.jwt-audience=" + PAYMENT,
                    servers + "mtls-only-server.client-svid=false");
        }

        @AfterAll
        void stop() {
            jwtClient.close();
            jwtServer.close();
            jwtOnlyServer.close();
        }

        /**
         * {@code client-svid: false}: the JWT-SVID alone says who calls; the TLS handshake carries no client
         * certificate ({@code /whoami} answers with the certificate the server saw) yet still checks the
         * server's SVID. The same from RestClient, RestTemplate and WebClient.
         */
        @Test
        void aTokenOnlyServerGetsTheJwtSvidAndNoClientCertificate() {
            RestClient restClient = jwtClient.getBean(RestClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeRestClients.class).server("edge"))
                .build();
            assertThat(restClient.get().uri("/caller").retrieve().body(String.class)).isEqualTo(ORDER + " jwt-svid");
            assertThat(restClient.get().uri("/whoami").retrieve().body(String.class)).isEqualTo("anonymous");
            RestTemplate restTemplate = jwtClient.getBean(SpiffeRestTemplates.class)
                .server("edge", jwtClient.getBean(RestTemplateBuilder.class))
                .build();
            assertThat(restTemplate.getForObject("/caller", String.class)).isEqualTo(ORDER + " jwt-svid");
            assertThat(restTemplate.getForObject("/whoami", String.class)).isEqualTo("anonymous");
            WebClient webClient = jwtClient.getBean(WebClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeWebClients.class).server("edge"))
                .build();
            assertThat(webClient.get().uri("/caller").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10))).isEqualTo(ORDER + " jwt-svid");
            assertThat(webClient.get().uri("/whoami").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10))).isEqualTo("anonymous");
            // The same server, with the client SVID (the default): the certificate is there again.
            RestClient withSvid = jwtClient.getBean(RestClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeRestClients.class).expecting(PAYMENT))
                .apply(jwtClient.getBean(SpiffeRestClients.class).withJwtSvid(PAYMENT))
                .baseUrl("https://localhost:" + jwtOnlyServer.port())
                .build();
            assertThat(withSvid.get().uri("/whoami").retrieve().body(String.class)).isEqualTo(ORDER);
        }

        @Test
        void aTokenOnlyClientStillRefusesAServerPresentingAnotherId() {
            RestClient restClient = jwtClient.getBean(RestClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeRestClients.class).server("edge-wrong-id"))
                .build();
            assertThatThrownBy(() -> restClient.get().uri("/caller").retrieve().body(String.class))
                .hasStackTraceContaining("presented " + PAYMENT);
            RestTemplate restTemplate = jwtClient.getBean(SpiffeRestTemplates.class)
                .server("edge-wrong-id", jwtClient.getBean(RestTemplateBuilder.class))
                .build();
            assertThatThrownBy(() -> restTemplate.getForObject("/caller", String.class))
                .hasStackTraceContaining("presented " + PAYMENT);
            WebClient webClient = jwtClient.getBean(WebClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeWebClients.class).server("edge-wrong-id"))
                .build();
            assertThatThrownBy(() -> webClient.get().uri("/caller").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10))).hasStackTraceContaining("presented " + PAYMENT);
        }

        @Test
        void aTokenOnlyClientCannotReachAServerThatRequiresClientCertificates() {
            RestClient restClient = jwtClient.getBean(RestClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeRestClients.class).server("mtls-only-server"))
                .build();
            // The server refuses the handshake: an I/O failure, not an HTTP answer.
            assertThatThrownBy(() -> restClient.get().uri("/caller").retrieve().body(String.class))
                .isInstanceOf(org.springframework.web.client.ResourceAccessException.class);
        }

        @Test
        void noClientSvidWithoutAJwtAudienceFailsStartupNamingTheProperty() {
            assertThatThrownBy(() -> ClientApplication.start("spiffe.workload-api.socket=" + clientAgent.socketAddress(),
                    "spiffe.jwt.enabled=true", "spiffe.client.servers.edge.url=https://localhost:1",
                    "spiffe.client.servers.edge.ids[0]=" + PAYMENT, "spiffe.client.servers.edge.client-svid=false")
                .close()).hasStackTraceContaining("spiffe.client.servers.edge.jwt-audience");
        }

        @Test
        void restClientForAServerWithAJwtAudienceSendsTheWorkloadsJwtSvidForIt() {
            RestClient restClient = jwtClient.getBean(RestClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeRestClients.class).server("payment"))
                .build();
            assertThat(restClient.get().uri("/caller").retrieve().body(String.class)).isEqualTo(ORDER + " jwt-svid");
        }

        @Test
        void restTemplateForAServerWithAJwtAudienceSendsTheJwtSvid() {
            RestTemplate restTemplate = jwtClient.getBean(SpiffeRestTemplates.class)
                .server("payment", jwtClient.getBean(RestTemplateBuilder.class))
                .build();
            assertThat(restTemplate.getForObject("/caller", String.class)).isEqualTo(ORDER + " jwt-svid");
        }

        @Test
        void webClientWithAJwtSvidSendsIt() {
            WebClient webClient = jwtClient.getBean(WebClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeWebClients.class).withJwtSvid(PAYMENT))
                .baseUrl("https://localhost:" + jwtServer.port())
                .build();
            for (int i = 0; i < 3; i++) {
                assertThat(webClient.get().uri("/caller").retrieve().bodyToMono(String.class)
                    .block(Duration.ofSeconds(10))).isEqualTo(ORDER + " jwt-svid");
            }
        }

        @Test
        void webClientForAServerWithAJwtAudienceSendsTheJwtSvid() {
            WebClient webClient = jwtClient.getBean(WebClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeWebClients.class).server("payment"))
                .build();
            assertThat(webClient.get().uri("/caller").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10))).isEqualTo(ORDER + " jwt-svid");
        }

        @Test
        void aServerWithoutJwtAudienceGetsNoToken() {
            RestClient restClient = jwtClient.getBean(RestClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeRestClients.class).server("plain"))
                .build();
            // The server trusts this client as a proxy, so a request without a token is refused.
            assertThatThrownBy(() -> restClient.get().uri("/caller").retrieve().body(String.class))
                .hasMessageContaining("401");
        }

        @Test
        void theTokenIsFetchedOnceForManyCallsNotPerRequest() {
            RestClient restClient = jwtClient.getBean(RestClient.Builder.class)
                .apply(jwtClient.getBean(SpiffeRestClients.class).server("payment"))
                .build();
            restClient.get().uri("/caller").retrieve().body(String.class);
            int fetched = clientAgent.jwtSvidRequestCount();
            for (int i = 0; i < 20; i++) {
                restClient.get().uri("/caller").retrieve().body(String.class);
            }
            assertThat(clientAgent.jwtSvidRequestCount()).isEqualTo(fetched);
        }

        @Test
        void aJwtAudienceWithoutJwtSvidsEnabledFailsStartupSayingWhatToSet() {
            assertThatThrownBy(() -> ClientApplication.start("spiffe.workload-api.socket=" + clientAgent.socketAddress(),
                    "spiffe.client.servers.payment.url=https://localhost:1",
                    "spiffe.client.servers.payment.ids[0]=" + PAYMENT,
                    "spiffe.client.servers.payment.jwt-audience=" + PAYMENT).close())
                .hasStackTraceContaining("spiffe.client.servers.payment.jwt-audience needs JWT-SVIDs");
        }
    }

    /** The kinds of outgoing client the starter equips, each over the starter's own TLS for that kind. */
    enum ClientKind {

        REST_CLIENT, REST_TEMPLATE, WEB_CLIENT, WEB_CLIENT_ON_JDK, WEB_CLIENT_ON_BORINGSSL;

        /**
         * A client built once and used for every call, as applications do; each call is one GET (on a new
         * connection when the server closes connections after answering, as {@link TestTlsServer} does).
         */
        UnaryOperator<String> build(ConfigurableApplicationContext client, PeerAuthorizer expectedServer) {
            return switch (this) {
                case REST_CLIENT -> {
                    RestClient restClient = client.getBean(RestClient.Builder.class)
                        .requestFactory(client.getBean(SpiffeClientTls.class).requestFactory(expectedServer))
                        .build();
                    yield url -> restClient.get().uri(url).retrieve().body(String.class);
                }
                case REST_TEMPLATE -> {
                    RestTemplate restTemplate = new RestTemplate(
                            client.getBean(SpiffeClientTls.class).requestFactory(expectedServer));
                    yield url -> restTemplate.getForObject(url, String.class);
                }
                case WEB_CLIENT, WEB_CLIENT_ON_JDK, WEB_CLIENT_ON_BORINGSSL -> {
                    SpiffeWebClients webClients = switch (this) {
                        case WEB_CLIENT_ON_JDK -> new SpiffeWebClients(client.getBean(X509ContextSource.class),
                                client.getBean(SpiffeKeyManager.class), null, TlsEngine.JDK);
                        case WEB_CLIENT_ON_BORINGSSL -> new SpiffeWebClients(client.getBean(X509ContextSource.class),
                                client.getBean(SpiffeKeyManager.class), null, TlsEngine.OPENSSL);
                        default -> client.getBean(SpiffeWebClients.class);
                    };
                    WebClient webClient = client.getBean(WebClient.Builder.class)
                        .clientConnector(webClients.connector(expectedServer))
                        .build();
                    yield url -> webClient.get()
                        .uri(url)
                        .retrieve()
                        .bodyToMono(String.class)
                        .block(Duration.ofSeconds(10));
                }
            };
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void everyConnectionToATicketIssuingServerIsAFullHandshakeVerifiedByTheClient(ClientKind kind) {
        AtomicInteger serverChecks = new AtomicInteger();
        PeerAuthorizer countingPayment = peer -> {
            serverChecks.incrementAndGet();
            PeerAuthorizer.id(SpiffeId.parse(PAYMENT)).authorize(peer);
        };
        try (TestTlsServer server = TestTlsServer.start(ca.issue(PAYMENT, Duration.ofHours(1)), ca.bundle())) {
            String url = "https://localhost:" + server.port() + "/client-serial";
            String clientSerial = clientAgent.currentSvid().leaf().getSerialNumber().toString(16);
            UnaryOperator<String> get = kind.build(client, countingPayment);
            for (int i = 0; i < 4; i++) {
                assertThat(get.apply(url)).isEqualTo(clientSerial);
            }
            assertThat(server.handshakes()).hasSize(4)
                .allSatisfy(handshake -> assertThat(handshake.protocol()).isEqualTo("TLSv1.3"));
            assertThat(server.resumedHandshakes()).as("connections that resumed a session").isZero();
            assertThat(server.fullHandshakes()).as("full handshakes with a client certificate").isEqualTo(4);
            assertThat(serverChecks).as("the client's checks of the server").hasValue(4);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void aTicketIssuingServerSeesTheRotatedClientSvidOnTheNextConnection(ClientKind kind) {
        try (TestTlsServer server = TestTlsServer.start(ca.issue(PAYMENT, Duration.ofHours(1)), ca.bundle())) {
            String url = "https://localhost:" + server.port() + "/client-serial";
            UnaryOperator<String> get = kind.build(client, PeerAuthorizer.id(SpiffeId.parse(PAYMENT)));
            assertThat(get.apply(url))
                .isEqualTo(clientAgent.currentSvid().leaf().getSerialNumber().toString(16));
            String rotated = clientAgent.rotate().leaf().getSerialNumber().toString(16);
            X509ContextSource source = client.getBean(X509ContextSource.class);
            await().atMost(Duration.ofSeconds(5))
                .until(() -> rotated.equals(source.current().svid().leaf().getSerialNumber().toString(16)));
            assertThat(get.apply(url)).isEqualTo(rotated);
            assertThat(server.resumedHandshakes()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(ClientKind.class)
    void aServerNoLongerTrustedIsRefusedOnTheNextConnection(ClientKind kind) {
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        String ledger = "spiffe://partner.example/ns/production/sa/ledger";
        X509ContextSource source = client.getBean(X509ContextSource.class);
        Predicate<TrustDomain> inBundles = domain -> source.current().bundles().trustDomains().contains(domain);
        TrustDomain partnerDomain = new TrustDomain("partner.example");
        clientAgent.federateWith(partner);
        try (TestTlsServer server = TestTlsServer.start(partner.issue(ledger, Duration.ofHours(1)), ca.bundle())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> inBundles.test(partnerDomain));
            String url = "https://localhost:" + server.port() + "/client-serial";
            UnaryOperator<String> get = kind.build(client, PeerAuthorizer.id(SpiffeId.parse(ledger)));
            assertThat(get.apply(url)).isNotEmpty();

            clientAgent.stopFederatingWith(partner);
            await().atMost(Duration.ofSeconds(5)).until(() -> !inBundles.test(partnerDomain));
            assertThatThrownBy(() -> get.apply(url))
                .hasStackTraceContaining("server presented a certificate for " + ledger);
            assertThat(server.handshakes()).hasSize(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.failedHandshakes() == 1);
        }
        finally {
            clientAgent.stopFederatingWith(partner);
        }
    }

    @Test
    void outgoingEnginesNameTheServerBySniButGiveJsseNoPeerToResumeASessionFor() {
        SSLContext context = client.getBean(SpiffeClientTls.class).sslContext(PeerAuthorizer.any());
        SSLEngine engine = context.createSSLEngine("payment.example.org", 8443);
        assertThat(engine.getPeerHost()).as("the key JSSE caches and finds sessions under").isNull();
        assertThat(engine.getPeerPort()).isEqualTo(-1);
        assertThat(engine.getUseClientMode()).isTrue();
        assertThat(engine.getSSLParameters().getServerNames()).containsExactly(new SNIHostName("payment.example.org"));
        assertThat(context.createSSLEngine("payment.example.org.", 8443).getSSLParameters().getServerNames())
            .containsExactly(new SNIHostName("payment.example.org"));
        for (String noSni : new String[] { "localhost", "10.1.2.3", "::1", null }) {
            assertThat(context.createSSLEngine(noSni, 8443).getSSLParameters().getServerNames()).as(noSni).isNullOrEmpty();
        }
        assertThatThrownBy(context::getSocketFactory).isInstanceOf(UnsupportedOperationException.class)
            .hasMessageContaining("could resume");
    }

    @Test
    void authorizersDescribedAlikeEachEnforceTheirOwnRule() {
        SpiffeClientTls tls = client.getBean(SpiffeClientTls.class);
        String billing = "spiffe://example.org/ns/production/sa/billing-service";
        PeerAuthorizer payment = new PeerAuthorizer.Described("the payment service", id -> id.toString().equals(PAYMENT));
        PeerAuthorizer mistaken = new PeerAuthorizer.Described("the payment service", id -> id.toString().equals(billing));
        RestClient toPayment = RestClient.builder().requestFactory(tls.requestFactory(payment)).baseUrl(baseUrl).build();
        RestClient toBilling = RestClient.builder().requestFactory(tls.requestFactory(mistaken)).baseUrl(baseUrl).build();
        assertThat(toPayment.get().uri("/whoami").retrieve().body(String.class)).isEqualTo(ORDER);
        assertThatThrownBy(() -> toBilling.get().uri("/whoami").retrieve().body(String.class))
            .isInstanceOf(ResourceAccessException.class)
            .hasMessageContaining("expected the payment service, presented " + PAYMENT);
    }

    @Test
    void equalExpectationsShareOneHttpClientAndDifferentOnesDoNot() {
        SpiffeClientTls tls = client.getBean(SpiffeClientTls.class);
        SpiffeId payment = SpiffeId.parse(PAYMENT);
        X509ContextSource source = client.getBean(X509ContextSource.class);
        assertThat(PeerAuthorizer.matching(CallerSet.parse(List.of(PAYMENT))))
            .isEqualTo(PeerAuthorizer.matching(CallerSet.parse(List.of(PAYMENT))))
            .isNotEqualTo(PeerAuthorizer.matching(CallerSet.parse(List.of("spiffe://example.org/ns/production/sa/*"))));
        assertThat(PeerAuthorizer.id(payment)).isEqualTo(PeerAuthorizer.oneOf(payment, payment))
            .isNotEqualTo(PeerAuthorizer.id(SpiffeId.parse(ORDER)));
        assertThat(PeerAuthorizer.memberOf(new TrustDomain("example.org")))
            .isEqualTo(PeerAuthorizer.memberOf(new TrustDomain("example.org")))
            .isNotEqualTo(PeerAuthorizer.memberOf(new TrustDomain("partner.example")));
        assertThat(PeerAuthorizer.sameTrustDomain(source)).isEqualTo(PeerAuthorizer.sameTrustDomain(source));
        assertThat(PeerAuthorizer.any()).isEqualTo(PeerAuthorizer.any());

        PeerAuthorizer first = PeerAuthorizer.matching(CallerSet.parse(List.of(PAYMENT)));
        PeerAuthorizer second = PeerAuthorizer.matching(CallerSet.parse(List.of(PAYMENT)));
        assertThat(tls.httpClient(first)).isSameAs(tls.httpClient(second));
        assertThat(tls.sslContext(first)).isSameAs(tls.sslContext(second));
        assertThat(tls.httpClient(first)).isNotSameAs(tls.httpClient(PeerAuthorizer.id(payment)));
    }

    @Test
    void restClientsBuiltPerRequestShareOnePooledHttpClient() {
        Supplier<RestClient> perRequest = () -> client.getBean(RestClient.Builder.class)
            .apply(client.getBean(SpiffeRestClients.class).expecting(PAYMENT))
            .baseUrl(baseUrl)
            .build();
        assertThat(perRequest.get().get().uri("/whoami").retrieve().body(String.class)).isEqualTo(ORDER);
        long afterFirst = selectorThreads();
        for (int i = 0; i < 20; i++) {
            assertThat(perRequest.get().get().uri("/whoami").retrieve().body(String.class)).isEqualTo(ORDER);
        }
        assertThat(selectorThreads()).as("HTTP client selector threads").isLessThanOrEqualTo(afterFirst);
    }

    @Test
    void manyOneOffAuthorizersDoNotPileUpHttpClientsOrThreads() {
        SpiffeClientTls tls = client.getBean(SpiffeClientTls.class);
        long before = selectorThreads();
        List<Object> factories = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            PeerAuthorizer oneOff = peer -> {
                if (n < 0) {
                    throw new IllegalStateException();
                }
            };
            factories.add(tls.requestFactory(oneOff));
        }
        factories.clear();
        // The most recent ones stay cached; the others end their selector thread once collected.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            System.gc();
            return selectorThreads() - before <= SpiffeClientTls.CACHED_EXPECTATIONS;
        });
    }

    private static long selectorThreads() {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter(thread -> thread.getName().matches("HttpClient-\\d+-SelectorManager"))
            .count();
    }
}
