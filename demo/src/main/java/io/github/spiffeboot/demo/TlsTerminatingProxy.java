package io.github.spiffeboot.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestSvid;

/**
 * The demo's edge gateway: it terminates its clients' TLS (no client certificate asked, as a public load
 * balancer does), then calls the upstream over SPIFFE mTLS as itself, forwarding the client's
 * {@code Authorization} header. Upstream, the TLS peer is therefore always the gateway; only the
 * forwarded JWT-SVID can say who the caller is. The demo runs it as its own process ({@link #main}), with
 * its SVID and the trust bundle as PEM files, as a gateway outside the Java services would be.
 */
public final class TlsTerminatingProxy implements AutoCloseable {

    private final HttpsServer server;

    private TlsTerminatingProxy(HttpsServer server) {
        this.server = server;
    }

    /**
     * @param svid the gateway's own SVID: its server certificate towards clients, its client certificate upstream
     * @param upstream how the gateway reaches the upstream (presenting its SVID)
     */
    static TlsTerminatingProxy start(int port, TestSvid svid, SpiffeTestClient upstream, int upstreamPort)
            throws IOException, GeneralSecurityException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("localhost", port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext(svid)));
        server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "demo-gateway");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", exchange -> forward(exchange, upstream, upstreamPort));
        server.start();
        return new TlsTerminatingProxy(server);
    }

    /**
     * {@code TlsTerminatingProxy <port> <upstream port> <svid.pem> <svid-key.pem> <bundle.pem>}: serves until
     * the process is stopped.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: TlsTerminatingProxy <port> <upstream port> <svid.pem> <svid-key.pem> <bundle.pem>");
            System.exit(2);
        }
        TestSvid svid = new TestSvid(certificates(Path.of(args[2])), privateKey(Path.of(args[3])));
        start(Integer.parseInt(args[0]), svid, SpiffeTestClient.withSvid(svid, certificates(Path.of(args[4]))),
                Integer.parseInt(args[1]));
        System.out.println("gateway listening on " + args[0] + " as " + svid.spiffeId() + ", upstream port " + args[1]);
        Thread.currentThread().join();
    }

    private static List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509")
                .generateCertificates(in)
                .stream()
                .map(X509Certificate.class::cast)
                .toList();
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void forward(HttpExchange exchange, SpiffeTestClient upstream, int upstreamPort) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String name : new String[] { "Authorization", "Content-Type" }) {
                String value = exchange.getRequestHeaders().getFirst(name);
                if (value != null) {
                    headers.put(name, value);
                }
            }
            TestHttpResponse response;
            try (TestHttpConnection connection = upstream.connect(upstreamPort)) {
                response = connection.request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                        (body.length > 0) ? new String(body, StandardCharsets.UTF_8) : null, headers);
            }
            byte[] answer = response.body().getBytes(StandardCharsets.UTF_8);
            String type = response.header("content-type");
            if (type != null) {
                exchange.getResponseHeaders().set("Content-Type", type);
            }
            exchange.sendResponseHeaders(response.status(), (answer.length > 0) ? answer.length : -1);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    private static SSLContext serverContext(TestSvid svid) throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        char[] password = "demo".toCharArray();
        keys.setKeyEntry("gateway", svid.privateKey(), password, svid.chainArray());
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
