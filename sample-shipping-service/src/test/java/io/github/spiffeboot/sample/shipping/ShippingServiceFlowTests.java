package io.github.spiffeboot.sample.shipping;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.sample.payment.PaymentServiceApplication;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestWorkloadApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * shipping-service on WebFlux and payment-service on Spring MVC in one test, each with its own Workload API
 * socket and SVID from one trust domain: the same rules, identities and client settings on both stacks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShippingServiceFlowTests {

    static final String PAYMENT = "spiffe://example.org/ns/production/sa/payment-service";

    static final String SHIPPING = "spiffe://example.org/ns/production/sa/shipping-service";

    static final String STOREFRONT = "spiffe://example.org/ns/production/sa/storefront";

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String SUBSCRIPTION = "spiffe://example.org/ns/production/sa/subscription-service";

    /**
     * payment-service brings Tomcat onto this test's classpath, and Boot would offer it to the reactive
     * application too (the shipping-service jar has Reactor Netty only): the reactive Tomcat configurations stay out.
     */
    static final String TOMCAT_REACTIVE = "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration,"
            + "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration";

    final TestCertificateAuthority ca = TestCertificateAuthority.create("example.org");

    final List<AutoCloseable> started = new ArrayList<>();

    TestWorkloadApi shippingAgent;

    int paymentPort;

    int shippingPort;

    ConfigurableApplicationContext shippingContext;

    @BeforeAll
    void start() {
        TestWorkloadApi paymentAgent = agent(PAYMENT);
        shippingAgent = agent(SHIPPING);
        paymentPort = port(run(PaymentServiceApplication.application()
            .properties("SERVER_PORT=0", "MANAGEMENT_PORT=0", "GRPC_PORT=0", "spiffe.workload-api.socket=" + paymentAgent.socketAddress())
            .run()));
        shippingContext = shipping("https://localhost:" + paymentPort);
        shippingPort = port(shippingContext);
    }

    @AfterAll
    void stop() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void shippingServiceRunsOnReactorNetty() {
        assertThat(shippingContext).isInstanceOf(ReactiveWebServerApplicationContext.class);
        assertThat(((ReactiveWebServerApplicationContext) shippingContext).getWebServer().getClass().getSimpleName())
            .isEqualTo("NettyWebServer");
    }

    @Test
    void aPaidOrderShipsAfterShippingServiceChecksThePaymentAsItself() throws IOException {
        TestHttpResponse response = shippingAgent.client(STOREFRONT)
            .post(shippingPort, "/api/shipments", "{\"orderId\":\"o-1001\"}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"shipped\"")
            .contains("\"requestedBy\":\"" + STOREFRONT + "\"")
            .contains("\"caller\":\"" + SHIPPING + "\"");
        assertThat(response.header("Set-Cookie")).isNull();
    }

    @Test
    void aCallerTheRulesDoNotNameIsRefusedWithAJson403() throws IOException {
        TestHttpResponse response = shippingAgent.client(ORDER)
            .post(shippingPort, "/api/shipments", "{\"orderId\":\"o-1001\"}");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body()).contains("\"error\":\"forbidden\"");
        assertThat(response.header("Set-Cookie")).isNull();
    }

    @Test
    void trackingIsNarrowedByAllowedCallersOnTheReactiveMethod() throws IOException {
        assertThat(shippingAgent.client(ORDER).get(shippingPort, "/api/shipments/s-1").status()).isEqualTo(200);
        // The rule lets the whole trust domain reach the handler; the annotation does not name this caller.
        assertThat(shippingAgent.client(SUBSCRIPTION).get(shippingPort, "/api/shipments/s-1").status())
            .isEqualTo(403);
    }

    @Test
    void anOrderIdThatCouldChangePaymentServicesPathIsRefusedWith400() throws IOException {
        TestHttpResponse response = shippingAgent.client(STOREFRONT)
            .post(shippingPort, "/api/shipments", "{\"orderId\":\"../refund\"}");
        assertThat(response.status()).isEqualTo(400);
    }

    @Test
    void aCallerWithoutCertificateIsRejectedInTheHandshake() {
        assertThatThrownBy(() -> shippingAgent.anonymousClient().post(shippingPort, "/api/shipments", "{}"))
            .isInstanceOf(IOException.class);
    }

    @Test
    void aPaymentServiceWithAnotherIdIsATlsFailureNamingBothIds() throws IOException {
        String expected = "spiffe://example.org/ns/production/sa/not-payment";
        int port = port(shipping("https://localhost:" + paymentPort,
                "--spiffe.client.servers.payment.ids[0]=" + expected));
        TestHttpResponse response = shippingAgent.client(STOREFRONT)
            .post(port, "/api/shipments", "{\"orderId\":\"o-7\"}");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\":\"payment_tls_failure\"")
            .contains("expected " + expected)
            .contains("presented " + PAYMENT);
    }

    @Test
    void aRotatedSvidIsServedOnTheNextConnectionAndShipmentsKeepFlowing() throws Exception {
        BigInteger before;
        try (TestHttpConnection connection = shippingAgent.client(STOREFRONT).connect(shippingPort)) {
            before = connection.serverCertificate().getSerialNumber();
        }
        BigInteger rotated = shippingAgent.rotate().leaf().getSerialNumber();
        BigInteger served = before;
        for (int i = 0; i < 50 && !served.equals(rotated); i++) {
            Thread.sleep(100);
            try (TestHttpConnection connection = shippingAgent.client(STOREFRONT).connect(shippingPort)) {
                served = connection.serverCertificate().getSerialNumber();
            }
        }
        assertThat(served).isEqualTo(rotated).isNotEqualTo(before);
        // Outgoing calls present the new SVID too: payment-service still sees shipping-service.
        assertThat(shippingAgent.client(STOREFRONT).post(shippingPort, "/api/shipments", "{\"orderId\":\"o-8\"}").body())
            .contains("\"caller\":\"" + SHIPPING + "\"");
    }

    private TestWorkloadApi agent(String id) {
        TestWorkloadApi agent = TestWorkloadApi.create(ca).identity(id).start();
        started.add(agent);
        return agent;
    }

    private ConfigurableApplicationContext shipping(String paymentUrl, String... args) {
        return run(ShippingServiceApplication.application()
            .properties("SERVER_PORT=0", "MANAGEMENT_PORT=0", "spiffe.workload-api.socket=" + shippingAgent.socketAddress(),
                    "PAYMENT_URL=" + paymentUrl, "spring.autoconfigure.exclude=" + TOMCAT_REACTIVE)
            .run(args));
    }

    private ConfigurableApplicationContext run(ConfigurableApplicationContext context) {
        started.add(context);
        return context;
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
