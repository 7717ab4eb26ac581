package io.github.spiffeboot.sample.payment;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;

import io.github.spiffeboot.sample.payments.v1.ChargeRequest;
import io.github.spiffeboot.sample.payments.v1.PaymentReply;
import io.github.spiffeboot.sample.payments.v1.PaymentsGrpc;
import io.github.spiffeboot.sample.payments.v1.RefundRequest;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.test.TestGrpcChannel;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.test.spring.WithSpiffeIdentity;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** payment-service as users test their own services: with the test module's annotation and clients. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "spring.config.name=payment-service", "MANAGEMENT_PORT=0", "GRPC_PORT=0" })
@WithSpiffeIdentity("spiffe://example.org/ns/production/sa/payment-service")
class PaymentServiceMtlsTests {

    static final String ORDER_SERVICE = "spiffe://example.org/ns/production/sa/order-service";

    static final String SUBSCRIPTION_SERVICE = "spiffe://example.org/ns/production/sa/subscription-service";

    @Autowired
    TestWorkloadApi workloadApi;

    @Autowired
    X509ContextSource source;

    @LocalServerPort
    int port;

    @LocalGrpcServerPort
    int grpcPort;

    @Test
    void chargesOverGrpcForACallerTheGrpcRulesAllow() {
        try (TestGrpcChannel channel = workloadApi.client(ORDER_SERVICE).grpc(grpcPort)) {
            PaymentReply reply = channel.call(PaymentsGrpc.getChargeMethod(),
                    ChargeRequest.newBuilder().setOrderId("g-1").setAmount(42).build());
            assertThat(reply.getStatus()).isEqualTo("charged");
            assertThat(reply.getCaller()).isEqualTo(ORDER_SERVICE);
            assertThat(channel.lastServerChain()[0]).isEqualTo(source.current().svid().leaf());
        }
    }

    @Test
    void refusesAGrpcRefundToACallerTheGrpcRulesDoNotAllowWithPermissionDenied() {
        try (TestGrpcChannel channel = workloadApi.client(SUBSCRIPTION_SERVICE).grpc(grpcPort)) {
            assertThatThrownBy(() -> channel.call(PaymentsGrpc.getRefundMethod(),
                    RefundRequest.newBuilder().setOrderId("g-2").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        ex -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        }
    }

    @Test
    void servesItsOwnSvid() throws IOException {
        try (TestHttpConnection connection = workloadApi.client(ORDER_SERVICE).connect(port)) {
            assertThat(connection.serverCertificate()).isEqualTo(source.current().svid().leaf());
            assertThat(source.current().svid().id())
                .hasToString("spiffe://example.org/ns/production/sa/payment-service");
        }
    }

    @Test
    void chargesForACallerWithAnSvid() throws IOException {
        var response = workloadApi.client(ORDER_SERVICE).post(port, "/api/payments/charge", "{\"orderId\":\"42\"}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"caller\":\"" + ORDER_SERVICE + "\"").contains("charged");
    }

    static final String GATEWAY = "spiffe://example.org/ns/edge/sa/gateway";

    static final String PAYMENT_SERVICE = "spiffe://example.org/ns/production/sa/payment-service";

    @Test
    void chargesForACallerWhoseJwtSvidTheGatewayForwards() throws IOException {
        var response = workloadApi.client(GATEWAY)
            .bearer(workloadApi.jwtSvid(ORDER_SERVICE, PAYMENT_SERVICE))
            .post(port, "/api/payments/charge", "{\"orderId\":\"43\"}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("\"caller\":\"" + ORDER_SERVICE + "\"");
    }

    @Test
    void refusesATokenReplayedFromAnotherAudience() throws IOException {
        var response = workloadApi.client(GATEWAY)
            .bearer(workloadApi.jwtSvid(ORDER_SERVICE, "spiffe://example.org/ns/production/sa/ledger-service"))
            .post(port, "/api/payments/charge", "{}");
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void ignoresABearerTokenFromAPeerThatIsNoGateway() throws IOException {
        var response = workloadApi.client(SUBSCRIPTION_SERVICE)
            .bearer(workloadApi.jwtSvid(ORDER_SERVICE, PAYMENT_SERVICE))
            .post(port, "/api/payments/refund", "{}");
        assertThat(response.status()).isEqualTo(403);
    }

    @Test
    void refundsOnlyForOrderService() throws IOException {
        assertThat(workloadApi.client(ORDER_SERVICE).post(port, "/api/payments/refund", "{}").status()).isEqualTo(200);
        var denied = workloadApi.client(SUBSCRIPTION_SERVICE).post(port, "/api/payments/refund", "{}");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body()).contains(SUBSCRIPTION_SERVICE).contains("/api/payments/refund");
    }

    @Test
    void readsPaymentsForTheCallersNamedOnTheHandler() throws IOException {
        assertThat(workloadApi.client(SUBSCRIPTION_SERVICE).get(port, "/api/payments/p-7").status()).isEqualTo(200);
        assertThat(workloadApi.client("spiffe://example.org/ns/production/sa/reporting").get(port, "/api/payments/p-7")
            .status()).isEqualTo(403);
    }

    @Test
    void refusesCallersTheRulesDoNotName() throws IOException {
        assertThat(workloadApi.client("spiffe://example.org/ns/production/sa/reporting")
            .post(port, "/api/payments/charge", "{}")
            .status()).isEqualTo(403);
    }

    @Test
    void probesAndPrometheusReachHealthAndMetricsOnTheManagementPortWithoutCertificate() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String base = "http://localhost:" + environment.getProperty("local.management.port");
        var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/actuator/health/readiness"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        var metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/actuator/prometheus"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("spiffe_svid_expiry_seconds").contains("spiffe_workload_api_connected 1.0");
    }

    @Autowired
    org.springframework.core.env.Environment environment;

    @Test
    void turnsAwayACallerWithoutCertificate() {
        assertThatThrownBy(() -> workloadApi.anonymousClient().post(port, "/api/payments/charge", "{}"))
            .isInstanceOf(IOException.class);
    }

    @Test
    void rotatesOnDemand() throws IOException {
        TestSvid rotated = workloadApi.rotate();
        BigInteger serial = rotated.leaf().getSerialNumber();
        await().atMost(Duration.ofSeconds(1)).until(() -> {
            try (TestHttpConnection connection = workloadApi.client(ORDER_SERVICE).connect(port)) {
                return connection.serverCertificate().getSerialNumber().equals(serial);
            }
        });
    }
}
