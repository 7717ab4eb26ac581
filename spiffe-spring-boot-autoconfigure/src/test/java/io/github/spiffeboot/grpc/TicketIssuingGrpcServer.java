package io.github.spiffeboot.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import io.github.spiffeboot.test.TestGrpcChannel;
import io.github.spiffeboot.test.TestSvid;
import io.grpc.Attributes;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ServerCalls;

/**
 * A gRPC server standing for most servers a SPIFFE channel calls (Go's, a plain grpc-java one): gRPC's default
 * provider (its BoringSSL, or the JDK's TLS where that is switched off) with its defaults, so it keeps a session
 * cache and issues TLS 1.3 session tickets, and a client that can resume a session will. It requires a client certificate, verified with plain PKIX against the given
 * authorities, and counts connections and the full handshakes among them (a resumed handshake does not
 * verify the client's certificate again). Its one method, {@code test.Tickets/Charge}, answers
 * {@code "charged <request>"}.
 */
final class TicketIssuingGrpcServer implements AutoCloseable {

    static final String CHARGE = "test.Tickets/Charge";

    private final AtomicInteger connections = new AtomicInteger();

    private final AtomicInteger clientChecks = new AtomicInteger();

    private final Server server;

    TicketIssuingGrpcServer(TestSvid svid, List<X509Certificate> clientAuthorities) {
        try {
            ServerServiceDefinition service = ServerServiceDefinition.builder("test.Tickets")
                .addMethod(TestGrpcChannel.textMethod(CHARGE, MethodType.UNARY),
                        ServerCalls.asyncUnaryCall((String request, io.grpc.stub.StreamObserver<String> answer) -> {
                            answer.onNext("charged " + request);
                            answer.onCompleted();
                        }))
                .build();
            this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(svid.privateKey(), svid.chainArray())
                    .trustManager(new CountingPkix(clientAuthorities, clientChecks))
                    .clientAuth(ClientAuth.REQUIRE)).build())
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attributes) {
                        connections.incrementAndGet();
                        return attributes;
                    }
                })
                .addService(service)
                .build()
                .start();
        }
        catch (SSLException ex) {
            throw new IllegalStateException("cannot build the ticket-issuing server's TLS context", ex);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    int port() {
        return server.getPort();
    }

    /** Connections whose handshake completed, full or resumed. */
    int connections() {
        return connections.get();
    }

    /** Handshakes in which the client's certificate was verified: the full ones. */
    int fullHandshakes() {
        return clientChecks.get();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** PKIX for client certificates, counting every check. */
    private static final class CountingPkix extends X509ExtendedTrustManager {

        private final X509TrustManager pkix;

        private final AtomicInteger checks;

        CountingPkix(List<X509Certificate> authorities, AtomicInteger checks) {
            this.checks = checks;
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < authorities.size(); i++) {
                    store.setCertificateEntry("ca-" + i, authorities.get(i));
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
                factory.init(store);
                this.pkix = (X509TrustManager) factory.getTrustManagers()[0];
            }
            catch (GeneralSecurityException | IOException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
            checks.incrementAndGet();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server does not verify servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
