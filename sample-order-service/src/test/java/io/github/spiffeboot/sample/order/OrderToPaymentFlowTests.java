package io.github.spiffeboot.sample.order;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.sample.payment.PaymentServiceApplication;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestWorkloadApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * order-service and payment-service in one test, each with its own Workload API socket and SVID from one
 * trust domain, talking SPIFFE mTLS to each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderToPaymentFlowTests {

    static final String PAYMENT = "spiffe://example.org/ns/production/sa/payment-service";

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String STOREFRONT = "spiffe://example.org/ns/production/sa/storefront";

    final TestCertificateAuthority ca = TestCertificateAuthority.create("example.org");

    final List<AutoCloseable> started = new ArrayList<>();

    TestWorkloadApi orderAgent;

    int paymentPort;

    int paymentGrpcPort;

    int orderPort;

    ConfigurableApplicationContext orderContext;

    @BeforeAll
    void start() {
        TestWorkloadApi paymentAgent = agent(PAYMENT);
        orderAgent = agent(ORDER);
        paymentGrpcPort = freePort();
        paymentPort = port(run(PaymentServiceApplication.application().properties("SERVER_PORT=0", "MANAGEMENT_PORT=0",
                "GRPC_PORT=" + paymentGrpcPort,
                "spiffe.workload-api.socket=" + paymentAgent.socketAddress()).run()));
        orderContext = order(orderAgent, "https://localhost:" + paymentPort);
        orderPort = port(orderContext);
    }

    @AfterAll
    void stop() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void anOrderIsChargedThroughPaymentServiceAsOrderService() throws IOException {
        TestHttpResponse response = orderAgent.client(STOREFRONT).post(orderPort, "/api/orders", "{\"amount\":42}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"paid\"")
            .contains("\"status\":\"charged\"")
            .contains("\"caller\":\"" + ORDER + "\"");
    }

    @Test
    void orderServiceCountsItsAuthorizationDecisionsInPrometheus() throws Exception {
        orderAgent.client(STOREFRONT).post(orderPort, "/api/orders", "{}");
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + orderContext.getEnvironment().getProperty("local.management.port")
                        + "/actuator/prometheus")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).contains("spiffe_authz_decisions_total{outcome=\"ALLOW\",rule=\"create-order\",transport=\"http\"}")
            .contains("spiffe_svid_expiry_seconds");
    }

    @Test
    void aRefundGoesThroughForOrderService() throws IOException {
        TestHttpResponse response = orderAgent.client(STOREFRONT).post(orderPort, "/api/orders/o-1/refund", "{}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"refunded\"").contains("\"caller\":\"" + ORDER + "\"");
    }

    @Test
    void orderServiceItselfOnlyServesItsAllowedCallers() throws IOException {
        assertThat(orderAgent.client("spiffe://example.org/ns/production/sa/subscription-service")
            .post(orderPort, "/api/orders", "{}")
            .status()).isEqualTo(403);
    }

    @Test
    void withOnePropertyOrderServiceChargesAndRefundsOverGrpc() throws IOException {
        int port = port(order(orderAgent, "https://localhost:" + paymentPort, "--payment.transport=grpc",
                "--spring.grpc.client.channel.payment.target=localhost:" + paymentGrpcPort));
        TestHttpResponse charged = orderAgent.client(STOREFRONT).post(port, "/api/orders", "{\"amount\":42}");
        assertThat(charged.status()).isEqualTo(200);
        assertThat(charged.body()).contains("\"status\":\"charged\"")
            .contains("\"caller\":\"" + ORDER + "\"")
            .contains("\"transport\":\"grpc\"");
        TestHttpResponse refunded = orderAgent.client(STOREFRONT).post(port, "/api/orders/o-1/refund", "{}");
        assertThat(refunded.body()).contains("\"status\":\"refunded\"").contains("\"transport\":\"grpc\"");
    }

    @Test
    void aGrpcRefusalByPaymentServiceBecomesAClearJsonAnswer() throws IOException {
        TestWorkloadApi staging = agent("spiffe://example.org/ns/staging/sa/order-service");
        int port = port(order(staging, "https://localhost:" + paymentPort, "--payment.transport=grpc",
                "--spring.grpc.client.channel.payment.target=localhost:" + paymentGrpcPort));
        TestHttpResponse response = staging.client(STOREFRONT).post(port, "/api/orders", "{}");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\":\"payment_forbidden\"")
            .contains("\"upstreamStatus\":\"PERMISSION_DENIED\"");
    }

    @Test
    void aGrpcPaymentServiceWithAnotherIdIsATlsFailureNamingBothIds() throws IOException {
        String expected = "spiffe://example.org/ns/production/sa/not-payment";
        int port = port(order(orderAgent, "https://localhost:" + paymentPort, "--payment.transport=grpc",
                "--spring.grpc.client.channel.payment.target=localhost:" + paymentGrpcPort,
                "--spiffe.client.servers.payment.ids[0]=" + expected));
        TestHttpResponse response = orderAgent.client(STOREFRONT).post(port, "/api/orders", "{}");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\":\"payment_tls_failure\"")
            .contains("expected " + expected)
            .contains("presented " + PAYMENT);
    }

    @Test
    void anUnknownTransportStopsTheStartNamingTheProperty() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> order(orderAgent, "https://localhost:" + paymentPort, "--payment.transport=soap"))
            .hasStackTraceContaining("payment.transport must be rest or grpc, not 'soap'");
    }

    @Test
    void aRefusalByPaymentServiceBecomesAClearJsonAnswer() throws IOException {
        // An order-service whose identity payment-service does not allow.
        TestWorkloadApi staging = agent("spiffe://example.org/ns/staging/sa/order-service");
        int port = port(order(staging, "https://localhost:" + paymentPort));
        TestHttpResponse response = staging.client(STOREFRONT).post(port, "/api/orders", "{}");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\":\"payment_forbidden\"").contains("\"upstreamStatus\":403");
    }

    @Test
    void aPaymentServiceWithAnotherIdIsATlsFailureNamingBothIds() throws IOException {
        String expected = "spiffe://example.org/ns/production/sa/not-payment";
        int port = port(order(orderAgent, "https://localhost:" + paymentPort,
                "--spiffe.client.servers.payment.ids[0]=" + expected));
        TestHttpResponse response = orderAgent.client(STOREFRONT).post(port, "/api/orders", "{}");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\":\"payment_tls_failure\"")
            .contains("expected " + expected)
            .contains("presented " + PAYMENT);
    }

    @Test
    void anUnreachablePaymentServiceIsA503() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        int port = port(order(orderAgent, "https://localhost:" + closedPort));
        TestHttpResponse response = orderAgent.client(STOREFRONT).post(port, "/api/orders", "{}");
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).contains("\"error\":\"payment_unavailable\"");
    }

    @Test
    void aPaymentServiceThatNeverAnswersIsA504() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                }
                catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            int port = port(order(orderAgent, "https://localhost:" + silent.getLocalPort(),
                    "--spiffe.client.read-timeout=1s"));
            TestHttpResponse response = orderAgent.client(STOREFRONT).post(port, "/api/orders", "{}");
            assertThat(response.status()).isEqualTo(504);
            assertThat(response.body()).contains("\"error\":\"payment_timeout\"");
        }
    }

    private TestWorkloadApi agent(String id) {
        TestWorkloadApi agent = TestWorkloadApi.create(ca).identity(id).start();
        started.add(agent);
        return agent;
    }

    private ConfigurableApplicationContext order(TestWorkloadApi agent, String paymentUrl, String... args) {
        return run(OrderServiceApplication.application()
            .properties("SERVER_PORT=0", "MANAGEMENT_PORT=0", "spiffe.workload-api.socket=" + agent.socketAddress(),
                    "PAYMENT_URL=" + paymentUrl)
            .run(args));
    }

    private ConfigurableApplicationContext run(ConfigurableApplicationContext context) {
        started.add(context);
        return context;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
