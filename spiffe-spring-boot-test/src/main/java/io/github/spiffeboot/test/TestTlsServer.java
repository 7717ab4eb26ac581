package io.github.spiffeboot.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A plain JSSE HTTPS server with the JDK's default TLS settings, standing for most servers a workload
 * calls (Go, Envoy, plain Java): unlike the starter's own servers it issues TLS 1.3 session tickets, so
 * a client that can resume a session will. It requires a client certificate, verified with plain PKIX
 * against the authorities it is given, and records every connection's handshake: whether it was a full
 * one (the client certificate verified in it) or resumed, and the client certificate.
 * <p>
 * Every request is answered {@code 200} with the hex serial number of the client certificate of the
 * connection, and {@code Connection: close}: each request of a pooling client arrives on a new connection.
 */
public final class TestTlsServer implements AutoCloseable {

    /**
     * One accepted connection whose handshake completed.
     *
     * @param full whether the client certificate was verified in this handshake (a resumed one skips that)
     * @param clientSerial the hex serial number of the client certificate the session carries
     * @param protocol the TLS version
     */
    public record Handshake(boolean full, String clientSerial, String protocol) {
    }

    private final SSLServerSocket serverSocket;

    /** Connections whose client certificate the trust manager verified, until their handshake is recorded. */
    private final Set<Socket> verifiedSockets = Collections
        .synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private final List<Handshake> handshakes = new CopyOnWriteArrayList<>();

    private final AtomicInteger failedHandshakes = new AtomicInteger();

    private final ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-tls-server");
        thread.setDaemon(true);
        return thread;
    });

    private TestTlsServer(TestSvid svid, List<X509Certificate> clientAuthorities)
            throws GeneralSecurityException, IOException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers(svid),
                new TrustManager[] { new RecordingTrustManager(pkix(clientAuthorities), verifiedSockets::add) }, null);
        serverSocket = (SSLServerSocket) context.getServerSocketFactory()
            .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        serverSocket.setNeedClientAuth(true);
    }

    /**
     * Starts a server on a free port of the loopback interface, presenting {@code svid} and accepting
     * clients whose certificates chain to one of {@code clientAuthorities}.
     */
    public static TestTlsServer start(TestSvid svid, List<X509Certificate> clientAuthorities) {
        TestTlsServer server;
        try {
            server = new TestTlsServer(svid, clientAuthorities);
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot build the test TLS server's context", ex);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot open the test TLS server's port", ex);
        }
        Thread acceptor = new Thread(server::acceptConnections, "test-tls-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** The handshakes completed so far, in order. */
    public List<Handshake> handshakes() {
        return List.copyOf(handshakes);
    }

    /** How many connections verified a client certificate in a full handshake. */
    public long fullHandshakes() {
        return handshakes.stream().filter(Handshake::full).count();
    }

    /** How many connections resumed an earlier session, without verifying the client again. */
    public long resumedHandshakes() {
        return handshakes.stream().filter(handshake -> !handshake.full()).count();
    }

    /** How many connections failed before their handshake completed (refused by either side). */
    public int failedHandshakes() {
        return failedHandshakes.get();
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        }
        catch (IOException ex) {
            // closing anyway
        }
        workers.shutdownNow();
    }

    private void acceptConnections() {
        while (!serverSocket.isClosed()) {
            try {
                SSLSocket socket = (SSLSocket) serverSocket.accept();
                workers.execute(() -> serve(socket));
            }
            catch (IOException ex) {
                // closed, or one failed accept: the loop condition decides
            }
        }
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            try {
                socket.startHandshake();
            }
            catch (IOException ex) {
                failedHandshakes.incrementAndGet();
                return;
            }
            Handshake handshake = handshakeOf(socket);
            handshakes.add(handshake);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (!skipRequest(in)) {
                return;
            }
            byte[] body = handshake.clientSerial().getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }
        catch (IOException ex) {
            // the client went away; nothing to answer
        }
        finally {
            verifiedSockets.remove(socket);
        }
    }

    private Handshake handshakeOf(SSLSocket socket) throws IOException {
        SSLSession session = socket.getSession();
        X509Certificate client = (X509Certificate) session.getPeerCertificates()[0];
        return new Handshake(verifiedSockets.contains(socket), client.getSerialNumber().toString(16),
                session.getProtocol());
    }

    /** Reads a request's head and body; false if the connection ended first. */
    private static boolean skipRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while (last4 != 0x0D0A0D0A) {
            if ((b = in.read()) == -1) {
                return false;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                in.readNBytes(Integer.parseInt(line.substring("content-length:".length()).trim()));
            }
        }
        return true;
    }

    private static KeyManager[] keyManagers(TestSvid svid) throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        char[] password = "test".toCharArray();
        keys.setKeyEntry("svid", svid.privateKey(), password, svid.chainArray());
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, password);
        return factory.getKeyManagers();
    }

    private static X509ExtendedTrustManager pkix(List<X509Certificate> authorities)
            throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
            trust.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trust);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                return extended;
            }
        }
        throw new IllegalStateException("no X509ExtendedTrustManager from PKIX");
    }

    /** PKIX for client certificates, remembering which connections verified one. */
    private static final class RecordingTrustManager extends X509ExtendedTrustManager {

        private final X509ExtendedTrustManager delegate;

        private final java.util.function.Consumer<Socket> verified;

        RecordingTrustManager(X509ExtendedTrustManager delegate, java.util.function.Consumer<Socket> verified) {
            this.delegate = delegate;
            this.verified = verified;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
            verified.accept(socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("this server uses sockets");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this server verifies clients per socket");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a server does not verify servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a server does not verify servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server does not verify servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
