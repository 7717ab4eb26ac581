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

import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.dev.DevWorkloadApi;

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

    public static void main(String[] args) throws Exception {
        // Netty warns on every Unix socket that SO_KEEPALIVE does not apply; noise for a demo.
        java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap").setLevel(java.util.logging.Level.SEVERE);
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path paymentJar = root.resolve("sample-payment-service/target/sample-payment-service-exec.jar");
        if (!Files.exists(paymentJar)) {
            System.err.println("Build first: ./mvnw -DskipTests install (missing " + paymentJar + ")");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("spiffe-demo");
        DemoRunner demo = new DemoRunner();
        Thread cleanup = new Thread(demo::stopAll, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean ok = false;
        try {
            ok = demo.run(work, paymentJar);
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

    private DevWorkloadApi workloadApi;

    private ServiceProcess payment;

    private boolean run(Path work, Path paymentJar) throws Exception {
        Map<String, String> workloads = new LinkedHashMap<>();
        workloads.put("payment-service", PAYMENT);
        workloads.put("order-service", ORDER);
        workloads.put("subscription-service", SUBSCRIPTION);
        Duration ttl = Duration.ofSeconds(20);

        step("Starting a development Workload API (trust domain " + TRUST_DOMAIN + ", SVIDs live " + ttl.toSeconds()
                + " s and rotate at half-life)");
        workloadApi = DevWorkloadApi.start(work, TRUST_DOMAIN, ttl, workloads);
        workloads.keySet().forEach(name -> say("  " + name + " -> unix://" + workloadApi.workload(name).socketPath()));

        int port = freePort();
        step("Starting payment-service with SPIFFE_ENDPOINT_SOCKET=unix://" + workloadApi.workload("payment-service")
            .socketPath() + " and SERVER_PORT=" + port);
        payment = ServiceProcess.start("payment-service", paymentJar,
                Map.of("SPIFFE_ENDPOINT_SOCKET", "unix://" + workloadApi.workload("payment-service").socketPath()),
                port, work);
        payment.awaitListening(Duration.ofSeconds(90));
        say("  listening; log: " + payment.log());

        SpiffeTestClient asOrderService = client(ORDER);
        boolean ok = true;

        step("order-service connects: which identity does payment-service present?");
        try (TestHttpConnection connection = asOrderService.connect(port)) {
            X509Certificate served = connection.serverCertificate();
            say("  " + connection.protocol() + ", server SPIFFE ID " + uri(served) + ", serial "
                    + served.getSerialNumber().toString(16) + ", expires " + served.getNotAfter().toInstant());
            ok &= expect(PAYMENT.equals(uri(served)), "payment-service presents its own SVID");

            step("order-service charges: POST /api/payments/charge");
            TestHttpResponse response = connection.post("/api/payments/charge", "{\"orderId\":\"1001\",\"amount\":42}");
            say("  " + response.status() + " " + response.body());
            ok &= expect(response.status() == 200, "the charge goes through");
        }

        step("subscription-service may charge, but asks for a refund (only order-service may refund)");
        TestHttpResponse charge = client(SUBSCRIPTION).post(port, "/api/payments/charge", "{\"orderId\":\"s-7\"}");
        say("  charge: " + charge.status());
        TestHttpResponse refund = client(SUBSCRIPTION).post(port, "/api/payments/refund", "{\"orderId\":\"s-7\"}");
        say("  refund: " + refund.status() + " " + refund.body());
        ok &= expect(charge.status() == 200 && refund.status() == 403, "the refund is denied with 403, the charge allowed");

        step("A caller without a client certificate tries the same");
        try {
            TestHttpResponse response = workloadApi.workload("order-service").anonymousClient()
                .post(port, "/api/payments/charge", "{}");
            say("  " + response.status() + " " + response.body());
            ok &= expect(false, "a caller without certificate is rejected");
        }
        catch (IOException rejected) {
            say("  rejected in the TLS handshake (" + rejected.getClass().getSimpleName() + ")");
            ok &= expect(true, "a caller without certificate is rejected");
        }

        step("Requests keep flowing while payment-service's SVID rotates");
        ok &= rotationWhileRequestsFlow(asOrderService, port);
        return ok;
    }

    private boolean rotationWhileRequestsFlow(SpiffeTestClient client, int port) throws Exception {
        Set<BigInteger> serials = new LinkedHashSet<>();
        int requests = 0;
        int failures = 0;
        Instant rotateAt = Instant.now().plusSeconds(2);
        Instant end = Instant.now().plusSeconds(5);
        boolean rotated = false;
        while (Instant.now().isBefore(end)) {
            if (!rotated && Instant.now().isAfter(rotateAt)) {
                BigInteger next = workloadApi.workload("payment-service").rotate().leaf().getSerialNumber();
                say("  rotated now: the Workload API pushed serial " + next.toString(16));
                rotated = true;
            }
            requests++;
            try (TestHttpConnection connection = client.connect(port)) {
                BigInteger serial = connection.serverCertificate().getSerialNumber();
                if (serials.add(serial)) {
                    say("  request " + requests + ": payment-service presents serial " + serial.toString(16));
                }
                if (connection.post("/api/payments/charge", "{\"orderId\":\"r" + requests + "\"}").status() != 200) {
                    failures++;
                }
            }
            catch (IOException ex) {
                failures++;
                say("  request " + requests + " failed: " + ex);
            }
            Thread.sleep(100);
        }
        say("  " + requests + " requests, " + failures + " failed, " + serials.size() + " certificates seen");
        return expect(failures == 0, "no request failed during rotation")
                & expect(serials.size() >= 2, "the served certificate changed without a restart");
    }

    private SpiffeTestClient client(String id) {
        return SpiffeTestClient.withSvid(workloadApi.authority().issue(id, Duration.ofMinutes(10)),
                workloadApi.authority().bundle());
    }

    private synchronized void stopAll() {
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
