package io.github.spiffeboot.test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;

/**
 * A gRPC channel over mTLS as one SPIFFE ID (or as no one), for tests: the server is verified against the
 * test CAs (and, as SVIDs carry no DNS name, not against the host name); the chain it presented last is kept
 * for the test to assert which SVID the server served. Each channel has its own TLS context, so no TLS
 * session is ever resumed from another channel.
 */
public final class TestGrpcChannel implements AutoCloseable {

    private final ManagedChannel channel;

    /** The channel calls go through: with the bearer token's metadata, if there is one. */
    private final Channel calls;

    private final ServerChainCapture trust;

    TestGrpcChannel(TestSvid svid, List<X509Certificate> authorities, String host, int port, String bearer,
            String[] protocols) {
        try {
            this.trust = new ServerChainCapture(authorities);
            SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(trust);
            if (svid != null) {
                tls.keyManager(svid.privateKey(), svid.chainArray());
            }
            if (protocols != null) {
                tls.protocols(protocols);
            }
            this.channel = NettyChannelBuilder.forAddress(host, port).sslContext(tls.build()).build();
            this.calls = (bearer != null) ? ClientInterceptors.intercept(channel,
                    MetadataUtils.newAttachHeadersInterceptor(authorization(bearer))) : channel;
        }
        catch (SSLException ex) {
            throw new IllegalStateException("cannot build the test gRPC client's TLS context", ex);
        }
    }

    /** Calls a unary method and waits for the answer; a failed call throws {@link io.grpc.StatusRuntimeException}. */
    public <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(calls, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                request);
    }

    /** Calls a unary method whose messages are UTF-8 text (see {@link #textMethod}). */
    public String call(String fullMethodName, String request) {
        return call(textMethod(fullMethodName, MethodDescriptor.MethodType.UNARY), request);
    }

    /** Starts a call of any kind, for streaming tests. */
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method) {
        return calls.newCall(method, CallOptions.DEFAULT);
    }

    /** The channel, for generated stubs ({@code PaymentsGrpc.newBlockingStub(channel.channel())}). */
    public ManagedChannel channel() {
        return channel;
    }

    private static Metadata authorization(String bearer) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearer);
        return headers;
    }

    /** The certificate chain the server presented in the most recent handshake, or {@code null}. */
    public X509Certificate[] lastServerChain() {
        return trust.last;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A method descriptor whose requests and responses are UTF-8 text: a gRPC service for tests needs no
     * protobuf code generation.
     */
    public static MethodDescriptor<String, String> textMethod(String fullMethodName, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
            .setFullMethodName(fullMethodName)
            .setType(type)
            .setRequestMarshaller(TEXT)
            .setResponseMarshaller(TEXT)
            .build();
    }

    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }
    };

    /** PKIX against the test CAs, without a host name check (SVIDs name no host); remembers the chain. */
    private static final class ServerChainCapture extends X509ExtendedTrustManager {

        private final X509TrustManager pkix;

        volatile X509Certificate[] last;

        ServerChainCapture(List<X509Certificate> authorities) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                Iterator<X509Certificate> each = authorities.iterator();
                for (int i = 0; each.hasNext(); i++) {
                    store.setCertificateEntry("ca-" + i, each.next());
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
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            // The two-argument form checks the path only, no endpoint identification.
            pkix.checkServerTrusted(chain, authType);
            last = chain.clone();
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
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a test client trusts no clients");
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
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
