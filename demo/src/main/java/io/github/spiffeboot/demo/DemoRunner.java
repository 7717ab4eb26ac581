package io.github.spiffeboot.demo;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.github.spiffeboot.sample.payments.v1.ChargeRequest;
import io.github.spiffeboot.sample.payments.v1.PaymentReply;
import io.github.spiffeboot.sample.payments.v1.PaymentsGrpc;
import io.github.spiffeboot.sample.payments.v1.RefundRequest;
import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestGrpcChannel;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.dev.DevWorkloadApi;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The README's demo: a development Workload API with one socket per workload, payment-service started
 * against it as a separate process, and a short scenario that shows SPIFFE mTLS at work. Everything it
 * starts is stopped at the end, on failure and on Ctrl-C.
 */
public final class DemoRunner {

    static final String TRUST_DOMAIN = "example.org";

    static final String PAYMENT = "spiffe://example.org/ns/production/sa/payment-service";

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String SUBSCRIPTION = "spiffe://example.org/ns/production/sa/subscription-service";

    static final String STOREFRONT = "spiffe://example.org/ns/production/sa/storefront";

    static final String SHIPPING = "spiffe://example.org/ns/production/sa/shipping-service";

    static final String GATEWAY = "spiffe://example.org/ns/edge/sa/gateway";

    static final String LEDGER = "spiffe://example.org/ns/production/sa/ledger-service";

    /** Netty warns on every Unix socket that SO_KEEPALIVE does not apply: noise for a demo. Held, or JUL forgets it. */
    private static final java.util.logging.Logger NETTY_BOOTSTRAP = java.util.logging.Logger
        .getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

    public static void main(String[] args) throws Exception {
        NETTY_BOOTSTRAP.setLevel(java.util.logging.Level.SEVERE);
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        // --aot: the services run the code Spring AOT generated at build time (jars built with -Paot).
        boolean aot = java.util.Arrays.asList(args).contains("--aot");
        Path paymentJar = root.resolve("sample-payment-service/target/sample-payment-service-exec.jar");
        Path orderJar = root.resolve("sample-order-service/target/sample-order-service-exec.jar");
        Path shippingJar = root.resolve("sample-shipping-service/target/sample-shipping-service-exec.jar");
        for (Path jar : new Path[] { paymentJar, orderJar, shippingJar }) {
            if (!Files.exists(jar)) {
                System.err.println("Build first: ./mvnw -DskipTests install (missing " + jar + ")");
                System.exit(2);
            }
        }
        Path work = Files.createTempDirectory("spiffe-demo");
        DemoRunner demo = new DemoRunner(aot ? java.util.List.of("-Dspring.aot.enabled=true") : java.util.List.of());
        Thread cleanup = new Thread(demo::stopAll, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean ok = false;
        try {
            ok = demo.run(work, root.resolve("demo/target/spiffe-demo.jar"), paymentJar, orderJar, shippingJar);
        }
        catch (Exception ex) {
            System.out.println("\nDEMO FAILED: " + ex.getMessage());
        }
        finally {
            demo.stopAll();
        }
        System.out.println(ok ? "\nDemo finished: everything behaved as expected." : "\nDemo finished with failures.");
        System.exit(ok ? 0 : 1);
    }

    private final java.util.List<String> serviceJvmOptions;

    private DevWorkloadApi workloadApi;

    private ServiceProcess payment;

    private ServiceProcess order;

    private ServiceProcess shipping;

    private DemoRunner(java.util.List<String> serviceJvmOptions) {
        this.serviceJvmOptions = serviceJvmOptions;
    }

    private boolean run(Path work, Path demoJar, Path paymentJar, Path orderJar, Path shippingJar) throws Exception {
        Map<String, String> workloads = new LinkedHashMap<>();
        workloads.put("payment-service", PAYMENT);
        workloads.put("order-service", ORDER);
        workloads.put("shipping-service", SHIPPING);
        workloads.put("subscription-service", SUBSCRIPTION);
        workloads.put("storefront", STOREFRONT);
        Duration ttl = Duration.ofSeconds(20);

        step("Starting a development Workload API (trust domain " + TRUST_DOMAIN + ", SVIDs live " + ttl.toSeconds()
                + " s and rotate at half-life), one socket per workload");
        workloadApi = DevWorkloadApi.start(work, TRUST_DOMAIN, ttl, workloads);
        workloads.forEach((name, id) -> say("  " + id + "  <-  unix://" + workloadApi.workload(name).socketPath()));

        int paymentPort = freePort();
        int paymentGrpcPort = freePort();
        int orderPort = freePort();
        int shippingPort = freePort();
        step("Starting payment-service (port " + paymentPort + "), order-service (port " + orderPort
                + ") and shipping-service (WebFlux, port " + shippingPort
                + "), each with SPIFFE_ENDPOINT_SOCKET pointing at its own socket"
                + (serviceJvmOptions.isEmpty() ? "" : ", JVM options " + String.join(" ", serviceJvmOptions)));
        payment = ServiceProcess.start("payment-service", paymentJar, serviceJvmOptions,
                Map.of("SPIFFE_ENDPOINT_SOCKET", "unix://" + workloadApi.workload("payment-service").socketPath(),
                        "GRPC_PORT", String.valueOf(paymentGrpcPort)),
                paymentPort, freePort(), work);
        order = ServiceProcess.start("order-service", orderJar, serviceJvmOptions,
                Map.of("SPIFFE_ENDPOINT_SOCKET", "unix://" + workloadApi.workload("order-service").socketPath(),
                        "PAYMENT_URL", "https://localhost:" + paymentPort),
                orderPort, freePort(), work);
        shipping = ServiceProcess.start("shipping-service", shippingJar, serviceJvmOptions,
                Map.of("SPIFFE_ENDPOINT_SOCKET", "unix://" + workloadApi.workload("shipping-service").socketPath(),
                        "PAYMENT_URL", "https://localhost:" + paymentPort),
                shippingPort, freePort(), work);
        payment.awaitListening(Duration.ofSeconds(90));
        order.awaitListening(Duration.ofSeconds(90));
        shipping.awaitListening(Duration.ofSeconds(90));
        say("  all listening; logs: " + payment.log() + ", " + order.log() + ", " + shipping.log());
        if (!serviceJvmOptions.isEmpty()) {
            for (ServiceProcess service : new ServiceProcess[] { payment, order, shipping }) {
                // Spring Boot says so when it runs the code generated at build time.
                if (!Files.readString(service.log()).contains("Starting AOT-processed")) {
                    throw new IllegalStateException(service.log() + " shows no AOT-processed start:\n" + service.tail());
                }
            }
            say("  all three run in AOT mode (Spring Boot logged \"Starting AOT-processed ...\")");
        }

        boolean ok = true;
        step("Which identity does payment-service present?");
        try (TestHttpConnection connection = client(ORDER).connect(paymentPort)) {
            X509Certificate served = connection.serverCertificate();
            say("  " + connection.protocol() + ", SPIFFE ID " + uri(served) + ", serial "
                    + served.getSerialNumber().toString(16) + ", expires " + served.getNotAfter().toInstant());
            ok &= expect(PAYMENT.equals(uri(served)), "payment-service presents its own SVID, no DNS name needed");
        }

        step("storefront places an order: order-service charges through payment-service with its own SVID");
        TestHttpResponse placed = client(STOREFRONT).post(orderPort, "/api/orders", "{\"amount\":42}");
        say("  " + placed.status() + " " + placed.body());
        ok &= expect(placed.status() == 200 && placed.body().contains("\"caller\":\"" + ORDER + "\""),
                "the charge goes through, and payment-service saw order-service as the caller");

        step("storefront asks order-service for a refund (order-service may refund)");
        TestHttpResponse refunded = client(STOREFRONT).post(orderPort, "/api/orders/o-1001/refund", "{}");
        say("  " + refunded.status() + " " + refunded.body());
        ok &= expect(refunded.status() == 200, "the refund goes through");

        step("subscription-service calls payment-service directly: it may charge, but not refund");
        TestHttpResponse charge = client(SUBSCRIPTION).post(paymentPort, "/api/payments/charge", "{\"orderId\":\"s-7\"}");
        say("  charge: " + charge.status());
        TestHttpResponse refund = client(SUBSCRIPTION).post(paymentPort, "/api/payments/refund", "{\"orderId\":\"s-7\"}");
        say("  refund: " + refund.status() + " " + refund.body());
        ok &= expect(charge.status() == 200 && refund.status() == 403, "the refund is denied with 403, the charge allowed");

        step("payment-service's gRPC API (port " + paymentGrpcPort + "), under the same kind of rules as its REST API");
        ok &= paymentsOverGrpc(paymentGrpcPort);

        step("storefront asks shipping-service, a WebFlux service on Reactor Netty, to ship the order");
        ok &= shippingOnWebFlux(shippingPort);

        step("Through a TLS-terminating gateway (" + GATEWAY + "): the caller's JWT-SVID speaks for it");
        ok &= throughTheGateway(work, demoJar, paymentPort);

        step("A caller without a client certificate tries to place an order");
        try {
            TestHttpResponse response = workloadApi.workload("storefront").anonymousClient()
                .post(orderPort, "/api/orders", "{}");
            say("  " + response.status() + " " + response.body());
            ok &= expect(false, "a caller without certificate is rejected");
        }
        catch (IOException rejected) {
            say("  rejected in the TLS handshake (" + rejected.getClass().getSimpleName() + ")");
            ok &= expect(true, "a caller without certificate is rejected");
        }

        step("Orders and shipments keep flowing while all three services' SVIDs rotate underneath them");
        ok &= rotationWhileRequestsFlow(client(STOREFRONT), orderPort, paymentPort, shippingPort);

        step("A probe without certificate reads health and metrics on payment-service's management port");
        String base = "http://localhost:" + payment.managementPort();
        java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient();
        var readiness = plain.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/actuator/health/readiness"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        say("  GET " + base + "/actuator/health/readiness -> " + readiness.statusCode() + " " + readiness.body());
        var metrics = plain.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/actuator/prometheus"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        metrics.body().lines()
            .filter(line -> line.startsWith("spiffe_") && !line.startsWith("# "))
            .forEach(line -> say("  " + line));
        ok &= expect(readiness.statusCode() == 200 && metrics.body().contains("spiffe_svid_rotations_total"),
                "probes and Prometheus need no certificate on the management port");
        return ok;
    }

    /**
     * Boot's gRPC server with the SVID, and grpc-method rules decided by the same policy: order-service may
     * charge, subscription-service may not refund (order-service switches to this API with one property,
     * payment.transport=grpc).
     */
    private boolean paymentsOverGrpc(int grpcPort) {
        boolean ok;
        try (TestGrpcChannel channel = client(ORDER).grpc(grpcPort)) {
            PaymentReply reply = channel.call(PaymentsGrpc.getChargeMethod(),
                    ChargeRequest.newBuilder().setOrderId("o-2001").setAmount(42).build());
            say("  order-service calls payments.v1.Payments/Charge: OK, status " + reply.getStatus() + ", caller "
                    + reply.getCaller() + "; payment-service presented " + uri(channel.lastServerChain()[0]));
            ok = expect("charged".equals(reply.getStatus()) && ORDER.equals(reply.getCaller()),
                    "an allowed gRPC call goes through, and payment-service saw order-service as the caller");
        }
        try (TestGrpcChannel channel = client(SUBSCRIPTION).grpc(grpcPort)) {
            channel.call(PaymentsGrpc.getRefundMethod(), RefundRequest.newBuilder().setOrderId("s-7").build());
            say("  subscription-service calls payments.v1.Payments/Refund: OK");
            return ok & expect(false, "a gRPC call the rules do not allow is refused with PERMISSION_DENIED");
        }
        catch (StatusRuntimeException refused) {
            say("  subscription-service calls payments.v1.Payments/Refund: " + refused.getStatus().getCode() + " ("
                    + refused.getStatus().getDescription() + ")");
            return ok & expect(refused.getStatus().getCode() == Status.Code.PERMISSION_DENIED,
                    "a gRPC call the rules do not allow is refused with PERMISSION_DENIED");
        }
    }

    /**
     * The same protection on WebFlux: mTLS on Reactor Netty, spiffe.authz rules in a reactive security chain,
     * {@code @AllowedCallers} on a reactive method, and a WebClient that calls payment-service with its SVID.
     */
    private boolean shippingOnWebFlux(int shippingPort) throws Exception {
        boolean ok;
        try (TestHttpConnection connection = client(STOREFRONT).connect(shippingPort)) {
            say("  shipping-service presents " + uri(connection.serverCertificate()) + " (" + connection.protocol() + ")");
            ok = expect(SHIPPING.equals(uri(connection.serverCertificate())), "shipping-service presents its own SVID");
        }
        TestHttpResponse shipped = client(STOREFRONT).post(shippingPort, "/api/shipments", "{\"orderId\":\"o-1001\"}");
        say("  " + shipped.status() + " " + shipped.body());
        ok &= expect(shipped.status() == 200 && shipped.body().contains("\"caller\":\"" + SHIPPING + "\""),
                "shipped, after shipping-service checked the payment with payment-service as itself (WebClient)");
        TestHttpResponse notAllowed = client(ORDER).post(shippingPort, "/api/shipments", "{\"orderId\":\"o-1001\"}");
        say("  order-service tries to create a shipment: " + notAllowed.status() + " " + notAllowed.body());
        ok &= expect(notAllowed.status() == 403, "spiffe.authz refuses a caller its rules do not name, on WebFlux too");
        TestHttpResponse tracked = client(ORDER).get(shippingPort, "/api/shipments/s-1");
        TestHttpResponse narrowed = client(SUBSCRIPTION).get(shippingPort, "/api/shipments/s-1");
        say("  tracking a shipment: order-service " + tracked.status() + ", subscription-service " + narrowed.status());
        ok &= expect(tracked.status() == 200 && narrowed.status() == 403,
                "@AllowedCallers on the reactive method narrows a rule open to the whole trust domain");
        boolean cookies = shipped.header("Set-Cookie") != null || notAllowed.header("Set-Cookie") != null
                || narrowed.header("Set-Cookie") != null;
        return ok & expect(!cookies, "no session cookie on any of these answers");
    }

    /**
     * A caller outside the mesh reaches payment-service only through the gateway, which terminates TLS and
     * calls payment-service as itself, forwarding the caller's JWT-SVID. payment-service trusts the gateway as
     * a proxy (spiffe.jwt.trusted-proxies), so the token's subject is the caller; a token minted for another
     * audience (replayed from a call to ledger-service, say) is refused.
     */
    private boolean throughTheGateway(Path work, Path demoJar, int paymentPort) throws Exception {
        TestSvid gatewaySvid = workloadApi.authority().issue(GATEWAY, Duration.ofMinutes(10));
        gatewaySvid.writePem(work.resolve("gateway.pem"), work.resolve("gateway-key.pem"));
        new TestSvid(workloadApi.authority().bundle(), null).writePem(work.resolve("gateway-bundle.pem"), null);
        int gatewayPort = freePort();
        try (ServiceProcess gateway = ServiceProcess.startMain("gateway", demoJar, TlsTerminatingProxy.class.getName(),
                java.util.List.of(String.valueOf(gatewayPort), String.valueOf(paymentPort),
                        work.resolve("gateway.pem").toString(), work.resolve("gateway-key.pem").toString(),
                        work.resolve("gateway-bundle.pem").toString()),
                gatewayPort, work)) {
            gateway.awaitListening(Duration.ofSeconds(60));
            say("  the gateway runs as its own process (pid " + gateway.pid() + "), listening on " + gatewayPort);
            // No client certificate: the gateway is where this caller's TLS ends.
            SpiffeTestClient outside = workloadApi.workload("storefront").anonymousClient();
            String token = workloadApi.workload("order-service").jwtSvid(ORDER, PAYMENT);
            TestHttpResponse charged = outside.bearer(token)
                .post(gatewayPort, "/api/payments/charge", "{\"orderId\":\"g-1\"}");
            say("  order-service's JWT-SVID for payment-service, via the gateway: " + charged.status() + " "
                    + charged.body());
            boolean ok = expect(charged.status() == 200 && charged.body().contains("\"caller\":\"" + ORDER + "\""),
                    "payment-service saw order-service (from the token) as the caller, not the gateway");
            String replayed = workloadApi.workload("order-service").jwtSvid(ORDER, LEDGER);
            TestHttpResponse refused = outside.bearer(replayed)
                .post(gatewayPort, "/api/payments/charge", "{\"orderId\":\"g-2\"}");
            say("  the same caller's token for ledger-service, replayed: " + refused.status() + " " + refused.body());
            ok &= expect(refused.status() == 401, "a token for another audience is refused with 401");
            TestHttpResponse bare = outside.post(gatewayPort, "/api/payments/charge", "{}");
            say("  no token at all: " + bare.status());
            return ok & expect(bare.status() == 401, "the gateway's own certificate grants nothing");
        }
    }

    private boolean rotationWhileRequestsFlow(SpiffeTestClient storefront, int orderPort, int paymentPort,
            int shippingPort) throws Exception {
        SpiffeTestClient observer = client(SUBSCRIPTION);
        Set<BigInteger> serials = new LinkedHashSet<>();
        Set<BigInteger> shippingSerials = new LinkedHashSet<>();
        int requests = 0;
        int failures = 0;
        Instant rotateAt = Instant.now().plusSeconds(2);
        Instant end = Instant.now().plusSeconds(6);
        boolean rotated = false;
        while (Instant.now().isBefore(end)) {
            if (!rotated && Instant.now().isAfter(rotateAt)) {
                BigInteger next = workloadApi.workload("payment-service").rotate().leaf().getSerialNumber();
                workloadApi.workload("order-service").rotate();
                workloadApi.workload("shipping-service").rotate();
                say("  rotated now: payment-service got serial " + next.toString(16)
                        + ", order-service and shipping-service new SVIDs too");
                rotated = true;
            }
            requests++;
            try {
                TestHttpResponse response = storefront.post(orderPort, "/api/orders", "{\"amount\":" + requests + "}");
                if (response.status() != 200) {
                    failures++;
                    say("  order " + requests + " failed: " + response.status() + " " + response.body());
                }
                try (TestHttpConnection connection = observer.connect(paymentPort)) {
                    BigInteger serial = connection.serverCertificate().getSerialNumber();
                    if (serials.add(serial)) {
                        say("  order " + requests + ": payment-service now presents serial " + serial.toString(16));
                    }
                }
                TestHttpResponse shipment = storefront.post(shippingPort, "/api/shipments",
                        "{\"orderId\":\"o-" + requests + "\"}");
                if (shipment.status() != 200) {
                    failures++;
                    say("  shipment " + requests + " failed: " + shipment.status() + " " + shipment.body());
                }
                try (TestHttpConnection connection = observer.connect(shippingPort)) {
                    BigInteger serial = connection.serverCertificate().getSerialNumber();
                    if (shippingSerials.add(serial)) {
                        say("  shipment " + requests + ": shipping-service now presents serial " + serial.toString(16));
                    }
                }
            }
            catch (IOException ex) {
                failures++;
                say("  order " + requests + " failed: " + ex);
            }
            Thread.sleep(100);
        }
        say("  " + requests + " orders and shipments, " + failures + " failed, " + serials.size()
                + " payment-service and " + shippingSerials.size() + " shipping-service certificates seen");
        return expect(failures == 0, "no order or shipment failed during rotation")
                & expect(serials.size() >= 2 && shippingSerials.size() >= 2,
                        "the served certificates changed without a restart, on Tomcat and on Reactor Netty");
    }

    private SpiffeTestClient client(String id) {
        return SpiffeTestClient.withSvid(workloadApi.authority().issue(id, Duration.ofMinutes(10)),
                workloadApi.authority().bundle());
    }

    private synchronized void stopAll() {
        if (shipping != null) {
            shipping.close();
            shipping = null;
        }
        if (order != null) {
            order.close();
            order = null;
        }
        if (payment != null) {
            payment.close();
            payment = null;
        }
        if (workloadApi != null) {
            workloadApi.close();
            workloadApi = null;
        }
    }

    private static String uri(X509Certificate certificate) {
        try {
            return certificate.getSubjectAlternativeNames()
                .stream()
                .filter(name -> Integer.valueOf(6).equals(name.get(0)))
                .map(name -> (String) name.get(1))
                .findFirst()
                .orElse("(none)");
        }
        catch (java.security.cert.CertificateParsingException ex) {
            return "(unreadable)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void step(String text) {
        System.out.println("\n== " + text);
    }

    private static void say(String text) {
        System.out.println(text);
    }

    private static boolean expect(boolean condition, String what) {
        System.out.println((condition ? "  OK: " : "  FAILED: ") + what);
        return condition;
    }
}
