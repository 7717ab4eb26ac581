package io.github.spiffeboot.test;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Calls an mTLS endpoint as a given SPIFFE ID (or as no one): "call this endpoint as SPIFFE ID X".
 * It trusts the test CAs it is given; which server ID it talked to is available from each
 * {@link TestHttpConnection} for the test to assert.
 */
public final class SpiffeTestClient {

    private final TestSvid svid;

    private final SSLContext context;

    private final String[] protocols;

    private final String bearer;

    private final List<X509Certificate> authorities;

    private SpiffeTestClient(TestSvid svid, SSLContext context, String[] protocols, String bearer,
            List<X509Certificate> authorities) {
        this.svid = svid;
        this.context = context;
        this.protocols = protocols;
        this.bearer = bearer;
        this.authorities = List.copyOf(authorities);
    }

    /** A client presenting {@code svid} and trusting {@code authorities}. */
    public static SpiffeTestClient withSvid(TestSvid svid, List<X509Certificate> authorities) {
        return new SpiffeTestClient(Objects.requireNonNull(svid), sslContext(svid, authorities), null, null,
                authorities);
    }

    /** A client that presents no certificate. */
    public static SpiffeTestClient withoutSvid(List<X509Certificate> authorities) {
        return new SpiffeTestClient(null, sslContext(null, authorities), null, null, authorities);
    }

    /** The same client, offering only these TLS versions (for example {@code TLSv1.2}). */
    public SpiffeTestClient protocols(String... versions) {
        return new SpiffeTestClient(svid, context, versions, bearer, authorities);
    }

    /**
     * The same client, sending {@code Authorization: Bearer <token>} with every request: a caller behind a
     * TLS-terminating proxy, say, with a JWT-SVID from {@link TestWorkloadApi#jwtSvid}:
     *
     * <pre>{@code
     * workloadApi.client(gatewayId).bearer(workloadApi.jwtSvid(orderServiceId, "payment-service")).get(port, "/pay");
     * }</pre>
     */
    public SpiffeTestClient bearer(String token) {
        return new SpiffeTestClient(svid, context, protocols, Objects.requireNonNull(token), authorities);
    }

    /** The SVID this client presents, or {@code null}. */
    public TestSvid svid() {
        return svid;
    }

    /** The TLS context, for use with other HTTP clients. */
    public SSLContext sslContext() {
        return context;
    }

    /**
     * A gRPC channel to {@code localhost:port} over mTLS, presenting this client's SVID (if any): "call this
     * gRPC method as SPIFFE ID X" is {@code agent.client(X).grpc(port).call(method, request)}. With a
     * {@link #bearer(String) bearer token}, every call carries it as {@code authorization} metadata. Close it
     * after use.
     */
    public TestGrpcChannel grpc(int port) {
        return new TestGrpcChannel(svid, authorities, "localhost", port, bearer, protocols);
    }

    /** Opens a connection and completes the TLS handshake (which throws if either side refuses). */
    public TestHttpConnection connect(String host, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        if (protocols != null) {
            parameters.setProtocols(protocols);
        }
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
            return new TestHttpConnection(socket, host + ":" + port,
                    (bearer != null) ? java.util.Map.of("Authorization", "Bearer " + bearer) : java.util.Map.of());
        }
        catch (IOException ex) {
            socket.close();
            throw ex;
        }
    }

    public TestHttpConnection connect(int port) throws IOException {
        return connect("localhost", port);
    }

    /** GET on a new connection, closed afterwards. */
    public TestHttpResponse get(int port, String path) throws IOException {
        try (TestHttpConnection connection = connect(port)) {
            return connection.get(path);
        }
    }

    /** POST of a JSON body on a new connection, closed afterwards. */
    public TestHttpResponse post(int port, String path, String jsonBody) throws IOException {
        try (TestHttpConnection connection = connect(port)) {
            return connection.post(path, jsonBody);
        }
    }

    private static SSLContext sslContext(TestSvid svid, List<X509Certificate> authorities) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                trust.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = "test".toCharArray();
            if (svid != null) {
                keys.setKeyEntry("svid", svid.privateKey(), password, svid.chainArray());
            }
            keyManagers.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("cannot build the test client's TLS context", ex);
        }
    }
}
