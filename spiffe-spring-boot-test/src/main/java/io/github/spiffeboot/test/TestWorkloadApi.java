package io.github.spiffeboot.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload.JWTBundlesRequest;
import io.spiffe.workloadapi.grpc.Workload.JWTBundlesResponse;
import io.spiffe.workloadapi.grpc.Workload.JWTSVID;
import io.spiffe.workloadapi.grpc.Workload.JWTSVIDRequest;
import io.spiffe.workloadapi.grpc.Workload.JWTSVIDResponse;
import io.spiffe.workloadapi.grpc.Workload.X509BundlesRequest;
import io.spiffe.workloadapi.grpc.Workload.X509BundlesResponse;
import io.spiffe.workloadapi.grpc.Workload.X509SVID;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDRequest;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDResponse;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A SPIFFE Workload API server in the test's own process, speaking the real gRPC protocol on a Unix
 * domain socket and behaving as a SPIRE agent does:
 * <ul>
 * <li>requests without the {@code workload.spiffe.io: true} header get InvalidArgument;</li>
 * <li>with no identity (or while {@link #denyFor denied}) FetchX509SVID answers PermissionDenied
 * "no identity issued";</li>
 * <li>FetchX509SVID and FetchX509Bundles stream: every {@link #rotate} (or TTL-driven rotation) is pushed
 * to open streams, with own and federated bundles;</li>
 * <li>{@link #stop} and {@link #start} on the same socket, as an agent restart;</li>
 * <li>FetchJWTSVID issues JWT-SVIDs (signed by the test CA's JWT key, {@link #jwtSvidTtl}) for the asked
 * audiences, and FetchJWTBundles streams the JWT bundles of this and the federated trust domains; every
 * {@link #rotateJwtKey} and {@link #retireOldJwtKeys} is pushed to open streams;</li>
 * <li>misbehaviour on demand: broken bundles ({@link #serveFederatedBundle}, {@link #serveOwnBundle}) and
 * errors on open streams ({@link #failOpenStreams}).</li>
 * </ul>
 * Use it directly, as a JUnit 5 extension ({@code @RegisterExtension static TestWorkloadApi agent = ...}),
 * or through {@link io.github.spiffeboot.test.spring.WithSpiffeIdentity} in Spring Boot tests.
 */
public final class TestWorkloadApi implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private static final Metadata.Key<String> SECURITY_HEADER = Metadata.Key.of("workload.spiffe.io",
            Metadata.ASCII_STRING_MARSHALLER);

    private static final AtomicInteger SOCKETS = new AtomicInteger();

    private final TestCertificateAuthority authority;

    private final Map<String, TestCertificateAuthority> federated = new LinkedHashMap<>();

    private final Map<String, ByteString> rawFederatedBundles = new LinkedHashMap<>();

    private ByteString rawOwnBundle;

    private final List<ServerCallStreamObserver<X509SVIDResponse>> svidStreams = new CopyOnWriteArrayList<>();

    private final List<ServerCallStreamObserver<X509BundlesResponse>> bundleStreams = new CopyOnWriteArrayList<>();

    private final List<ServerCallStreamObserver<JWTBundlesResponse>> jwtBundleStreams = new CopyOnWriteArrayList<>();

    private final AtomicInteger jwtSvidRequests = new AtomicInteger();

    private Duration jwtSvidTtl = Duration.ofMinutes(5);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "test-workload-api-rotation");
        thread.setDaemon(true);
        return thread;
    });

    private final AtomicInteger svidRequests = new AtomicInteger();

    private final Path socket;

    private String spiffeId;

    private Duration svidTtl = Duration.ofHours(1);

    private TestSvid svid;

    private Instant deniedUntil = Instant.MIN;

    private Status rejection;

    private ScheduledFuture<?> autoRotation;

    private Server server;

    private EventLoopGroup eventLoop;

    private TestWorkloadApi(TestCertificateAuthority authority, Path socket) {
        this.authority = authority;
        this.socket = socket;
    }

    /** A server for a new test CA of {@code trustDomain}, on a fresh socket in a temporary directory. */
    public static TestWorkloadApi create(String trustDomain) {
        return create(TestCertificateAuthority.create(trustDomain));
    }

    /** A server issuing from {@code authority}, on a fresh socket in a temporary directory. */
    public static TestWorkloadApi create(TestCertificateAuthority authority) {
        try {
            // Unix socket paths are limited to ~107 bytes: keep them short.
            Path directory = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "wl");
            return new TestWorkloadApi(authority, directory.resolve("agent-" + SOCKETS.incrementAndGet() + ".sock"));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A server issuing from {@code authority} on the given socket path. */
    public static TestWorkloadApi create(TestCertificateAuthority authority, Path socket) {
        return new TestWorkloadApi(authority, socket);
    }

    /** Serves {@code spiffeId} from now on: issues an SVID and pushes it to open streams. */
    public synchronized TestWorkloadApi identity(String spiffeId) {
        this.spiffeId = spiffeId;
        rotate();
        return this;
    }

    /** Stops serving any identity: new requests get PermissionDenied, as from an agent with no entry. */
    public synchronized TestWorkloadApi clearIdentity() {
        this.spiffeId = null;
        this.svid = null;
        return this;
    }

    /** The TTL of SVIDs issued from now on. */
    public synchronized TestWorkloadApi svidTtl(Duration ttl) {
        this.svidTtl = ttl;
        return this;
    }

    /** Rotates every half TTL, as SPIRE does, until {@link #stopAutoRotation()}. */
    public synchronized TestWorkloadApi autoRotate() {
        stopAutoRotation();
        long period = Math.max(1, svidTtl.toMillis() / 2);
        autoRotation = scheduler.scheduleAtFixedRate(this::rotate, period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    public synchronized TestWorkloadApi stopAutoRotation() {
        if (autoRotation != null) {
            autoRotation.cancel(false);
            autoRotation = null;
        }
        return this;
    }

    /** Adds a federated trust domain whose bundle is delivered with every response. */
    public synchronized TestWorkloadApi federateWith(TestCertificateAuthority other) {
        federated.put(other.trustDomain(), other);
        pushToStreams();
        return this;
    }

    /**
     * Serves {@code der} exactly as given (empty, or not DER at all, if so wished) as the federated bundle
     * under {@code key}, and pushes it to open streams. The key is used verbatim, so it may be any string,
     * even one that is no trust domain; {@code spiffe://<trust domain>} replaces what
     * {@link #federateWith} delivers for that domain. {@code null} stops serving the entry.
     */
    public synchronized TestWorkloadApi serveFederatedBundle(String key, byte[] der) {
        if (der == null) {
            rawFederatedBundles.remove(key);
        }
        else {
            rawFederatedBundles.put(key, ByteString.copyFrom(der));
        }
        pushToStreams();
        return this;
    }

    /** Stops delivering a federated trust domain's bundle, as when a federation relationship is removed. */
    public synchronized TestWorkloadApi stopFederatingWith(TestCertificateAuthority other) {
        federated.remove(other.trustDomain());
        pushToStreams();
        return this;
    }

    /**
     * Serves {@code der} exactly as given as the bundle of the workload's own trust domain (with the SVID),
     * and pushes it to open streams; {@code null} goes back to the authority's real bundle.
     */
    public synchronized TestWorkloadApi serveOwnBundle(byte[] der) {
        this.rawOwnBundle = (der != null) ? ByteString.copyFrom(der) : null;
        pushToStreams();
        return this;
    }

    /**
     * Ends every open stream with this error, as an agent that misbehaves mid-stream. Combine with
     * {@link #rejectWith} to answer the reconnects with it too.
     */
    public synchronized TestWorkloadApi failOpenStreams(Status.Code code, String description) {
        Status status = code.toStatus().withDescription(description);
        for (ServerCallStreamObserver<X509SVIDResponse> stream : svidStreams) {
            fail(stream, status);
        }
        for (ServerCallStreamObserver<X509BundlesResponse> stream : bundleStreams) {
            fail(stream, status);
        }
        for (ServerCallStreamObserver<JWTBundlesResponse> stream : jwtBundleStreams) {
            fail(stream, status);
        }
        svidStreams.clear();
        bundleStreams.clear();
        jwtBundleStreams.clear();
        return this;
    }

    /** Answers PermissionDenied for this long, as SPIRE does until a new entry has synced. */
    public synchronized TestWorkloadApi denyFor(Duration duration) {
        this.deniedUntil = Instant.now().plus(duration);
        return this;
    }

    /**
     * Answers every new request with this error (for example {@code INVALID_ARGUMENT}) until
     * {@link #stopRejecting()}; open streams are not affected.
     */
    public synchronized TestWorkloadApi rejectWith(Status.Code code, String description) {
        this.rejection = code.toStatus().withDescription(description);
        return this;
    }

    public synchronized TestWorkloadApi stopRejecting() {
        this.rejection = null;
        return this;
    }

    /** Issues a new SVID for the current identity and pushes it to every open stream. */
    public synchronized TestSvid rotate() {
        if (spiffeId == null) {
            throw new IllegalStateException("no identity to rotate; call identity(...) first");
        }
        svid = authority.issue(spiffeId, svidTtl);
        pushToStreams();
        return svid;
    }

    /** Pushes an SVID as given, even a broken one, to open streams and future requests. */
    public synchronized TestWorkloadApi serve(TestSvid given) {
        this.svid = given;
        pushToStreams();
        return this;
    }

    /** The lifetime of JWT-SVIDs issued from now on (SPIRE's default is 5 minutes). */
    public synchronized TestWorkloadApi jwtSvidTtl(Duration ttl) {
        this.jwtSvidTtl = ttl;
        return this;
    }

    /**
     * A new JWT signing key for this trust domain, pushed to open JWT bundle streams; the old keys stay in
     * the bundle (tokens they signed still verify) until {@link #retireOldJwtKeys()}.
     */
    public synchronized TestWorkloadApi rotateJwtKey() {
        authority.jwt().rotate();
        pushToStreams();
        return this;
    }

    /** Drops every JWT key but the current one from the bundle, and pushes the bundle to open streams. */
    public synchronized TestWorkloadApi retireOldJwtKeys() {
        authority.jwt().retireOldKeys();
        pushToStreams();
        return this;
    }

    /**
     * A JWT-SVID for {@code spiffeId} (any workload of this or a federated trust domain) and these audiences,
     * signed by the current key of its trust domain and valid for the JWT-SVID TTL: what that workload would
     * send as {@code Authorization: Bearer}.
     */
    public synchronized String jwtSvid(String spiffeId, String... audiences) {
        String trustDomain = java.net.URI.create(spiffeId).getHost();
        TestCertificateAuthority issuer = trustDomain.equals(authority.trustDomain()) ? authority
                : federated.get(trustDomain);
        if (issuer == null) {
            throw new IllegalArgumentException("no test CA for the trust domain of " + spiffeId);
        }
        return issuer.issueJwtSvid(spiffeId, jwtSvidTtl, audiences);
    }

    /** How many FetchJWTSVID calls have arrived. */
    public int jwtSvidRequestCount() {
        return jwtSvidRequests.get();
    }

    /** How many FetchJWTBundles streams are open now. */
    public int openJwtBundleStreams() {
        return jwtBundleStreams.size();
    }

    /** Starts serving on the socket (again, after {@link #stop}). */
    public synchronized TestWorkloadApi start() {
        if (server != null) {
            return this;
        }
        try {
            Files.deleteIfExists(socket);
            eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(eventLoop)
                .workerEventLoopGroup(eventLoop)
                .addService(ServerInterceptors.intercept(new Service(), new SecurityHeaderCheck()))
                .build()
                .start();
            return this;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot serve the Workload API on " + socket, ex);
        }
    }

    /** Stops serving, breaking open streams (as an agent that exits) and removing the socket. */
    public synchronized TestWorkloadApi stop() {
        if (server == null) {
            return this;
        }
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        server = null;
        svidStreams.clear();
        bundleStreams.clear();
        jwtBundleStreams.clear();
        try {
            Files.deleteIfExists(socket);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    public boolean isRunning() {
        return server != null;
    }

    @Override
    public void close() {
        stopAutoRotation();
        stop();
        scheduler.shutdownNow();
    }

    /** The socket path. */
    public Path socketPath() {
        return socket;
    }

    /** The socket as a Workload API address, {@code unix://<path>}. */
    public String socketAddress() {
        return "unix://" + socket;
    }

    public TestCertificateAuthority authority() {
        return authority;
    }

    /** The SVID currently served, or {@code null}. */
    public synchronized TestSvid currentSvid() {
        return svid;
    }

    /** How many FetchX509SVID calls have arrived (each reconnect is one). */
    public int svidRequestCount() {
        return svidRequests.get();
    }

    /** How many FetchX509SVID streams are open now. */
    public int openSvidStreams() {
        return svidStreams.size();
    }

    /**
     * An mTLS client with a fresh SVID for {@code clientId} from this server's CA, trusting this trust
     * domain and its federated ones.
     */
    public SpiffeTestClient client(String clientId) {
        return SpiffeTestClient.withSvid(authority.issue(clientId, Duration.ofHours(1)), trustedAuthorities());
    }

    /** A TLS client that presents no certificate, trusting this trust domain. */
    public SpiffeTestClient anonymousClient() {
        return SpiffeTestClient.withoutSvid(trustedAuthorities());
    }

    /** The CA certificates of this trust domain and the federated ones. */
    public synchronized List<X509Certificate> trustedAuthorities() {
        List<X509Certificate> all = new ArrayList<>(authority.bundle());
        federated.values().forEach(other -> all.addAll(other.bundle()));
        return all;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private boolean denied() {
        return spiffeId == null || svid == null || Instant.now().isBefore(deniedUntil);
    }

    private synchronized void pushToStreams() {
        if (svid != null) {
            X509SVIDResponse response = svidResponse();
            for (ServerCallStreamObserver<X509SVIDResponse> stream : svidStreams) {
                send(stream, response, svidStreams);
            }
        }
        X509BundlesResponse bundles = bundlesResponse();
        for (ServerCallStreamObserver<X509BundlesResponse> stream : bundleStreams) {
            send(stream, bundles, bundleStreams);
        }
        JWTBundlesResponse jwtBundles = jwtBundlesResponse();
        for (ServerCallStreamObserver<JWTBundlesResponse> stream : jwtBundleStreams) {
            send(stream, jwtBundles, jwtBundleStreams);
        }
    }

    private static <T> void send(ServerCallStreamObserver<T> stream, T message,
            List<ServerCallStreamObserver<T>> streams) {
        try {
            if (!stream.isCancelled()) {
                stream.onNext(message);
            }
        }
        catch (RuntimeException ex) {
            streams.remove(stream);
        }
    }

    private static void fail(ServerCallStreamObserver<?> stream, Status status) {
        try {
            if (!stream.isCancelled()) {
                stream.onError(status.asRuntimeException());
            }
        }
        catch (RuntimeException ex) {
            // already closed by the client
        }
    }

    private X509SVIDResponse svidResponse() {
        X509SVIDResponse.Builder response = X509SVIDResponse.newBuilder()
            .addSvids(X509SVID.newBuilder()
                .setSpiffeId(spiffeIdOf(svid))
                .setX509Svid(der(svid.chain()))
                .setX509SvidKey(ByteString.copyFrom(svid.privateKey().getEncoded()))
                .setBundle(ownBundle()));
        federated.forEach((trustDomain, other) -> response.putFederatedBundles("spiffe://" + trustDomain,
                der(other.bundle())));
        response.putAllFederatedBundles(rawFederatedBundles);
        return response.build();
    }

    private X509BundlesResponse bundlesResponse() {
        X509BundlesResponse.Builder response = X509BundlesResponse.newBuilder()
            .putBundles("spiffe://" + authority.trustDomain(), ownBundle());
        federated.forEach((trustDomain, other) -> response.putBundles("spiffe://" + trustDomain, der(other.bundle())));
        response.putAllBundles(rawFederatedBundles);
        return response.build();
    }

    private JWTBundlesResponse jwtBundlesResponse() {
        JWTBundlesResponse.Builder response = JWTBundlesResponse.newBuilder()
            .putBundles("spiffe://" + authority.trustDomain(), ByteString.copyFromUtf8(authority.jwt().bundleJson()));
        federated.forEach((trustDomain, other) -> response.putBundles("spiffe://" + trustDomain,
                ByteString.copyFromUtf8(other.jwt().bundleJson())));
        return response.build();
    }

    private ByteString ownBundle() {
        return (rawOwnBundle != null) ? rawOwnBundle : der(authority.bundle());
    }

    private static String spiffeIdOf(TestSvid svid) {
        List<String> uris = svid.uris();
        return uris.isEmpty() ? "" : uris.get(0);
    }

    private static ByteString der(List<X509Certificate> certificates) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (X509Certificate certificate : certificates) {
                out.write(certificate.getEncoded());
            }
        }
        catch (CertificateEncodingException | IOException ex) {
            throw new IllegalStateException(ex);
        }
        return ByteString.copyFrom(out.toByteArray());
    }

    private final class Service extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {

        @Override
        public void fetchX509SVID(X509SVIDRequest request, StreamObserver<X509SVIDResponse> observer) {
            svidRequests.incrementAndGet();
            subscribe(observer, svidStreams, TestWorkloadApi.this::svidResponse);
        }

        @Override
        public void fetchX509Bundles(X509BundlesRequest request, StreamObserver<X509BundlesResponse> observer) {
            subscribe(observer, bundleStreams, TestWorkloadApi.this::bundlesResponse);
        }

        @Override
        public void fetchJWTBundles(JWTBundlesRequest request, StreamObserver<JWTBundlesResponse> observer) {
            subscribe(observer, jwtBundleStreams, TestWorkloadApi.this::jwtBundlesResponse);
        }

        /** As SPIRE: audiences required, the workload's own identity, PermissionDenied without one. */
        @Override
        public void fetchJWTSVID(JWTSVIDRequest request, StreamObserver<JWTSVIDResponse> observer) {
            jwtSvidRequests.incrementAndGet();
            String token;
            String id;
            synchronized (TestWorkloadApi.this) {
                if (rejection != null) {
                    observer.onError(rejection.asRuntimeException());
                    return;
                }
                if (request.getAudienceCount() == 0) {
                    observer.onError(Status.INVALID_ARGUMENT.withDescription("audience must be specified")
                        .asRuntimeException());
                    return;
                }
                if (denied()) {
                    observer.onError(Status.PERMISSION_DENIED.withDescription("no identity issued").asRuntimeException());
                    return;
                }
                id = spiffeId;
                token = authority.issueJwtSvid(id, jwtSvidTtl, request.getAudienceList().toArray(String[]::new));
            }
            observer.onNext(JWTSVIDResponse.newBuilder()
                .addSvids(JWTSVID.newBuilder().setSpiffeId(id).setSvid(token))
                .build());
            observer.onCompleted();
        }

        /** Answers as SPIRE does: an error, or the current response now and every update later. */
        private <T> void subscribe(StreamObserver<T> observer, List<ServerCallStreamObserver<T>> streams,
                java.util.function.Supplier<T> response) {
            ServerCallStreamObserver<T> stream = (ServerCallStreamObserver<T>) observer;
            synchronized (TestWorkloadApi.this) {
                if (rejection != null) {
                    observer.onError(rejection.asRuntimeException());
                    return;
                }
                if (denied()) {
                    observer.onError(Status.PERMISSION_DENIED.withDescription("no identity issued").asRuntimeException());
                    return;
                }
                stream.setOnCancelHandler(() -> streams.remove(stream));
                streams.add(stream);
                stream.onNext(response.get());
            }
        }
    }

    /** SPIRE's check: every call must carry {@code workload.spiffe.io: true}. */
    private static final class SecurityHeaderCheck implements ServerInterceptor {

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            if (!"true".equals(headers.get(SECURITY_HEADER))) {
                call.close(Status.INVALID_ARGUMENT.withDescription("security header missing from request"),
                        new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }
}
