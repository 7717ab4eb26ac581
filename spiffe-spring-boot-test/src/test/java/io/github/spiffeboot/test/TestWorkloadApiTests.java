package io.github.spiffeboot.test;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub;
import io.spiffe.workloadapi.grpc.Workload.X509BundlesRequest;
import io.spiffe.workloadapi.grpc.Workload.X509BundlesResponse;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDRequest;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test Workload API answers as a SPIRE agent does, checked with a plain gRPC client. */
class TestWorkloadApiTests {

    private static final String ID = "spiffe://example.org/ns/test/sa/app";

    private final TestWorkloadApi server = TestWorkloadApi.create("example.org");

    private EventLoopGroup eventLoop;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(server.socketPath().toString()))
            .eventLoopGroup(eventLoop)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void requiresTheSecurityHeader() {
        server.identity(ID).start();
        SpiffeWorkloadAPIBlockingStub withoutHeader = SpiffeWorkloadAPIGrpc.newBlockingStub(channel);
        assertThatThrownBy(() -> withoutHeader.fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next())
            .isInstanceOfSatisfying(StatusRuntimeException.class, ex -> {
                assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(ex.getStatus().getDescription()).isEqualTo("security header missing from request");
            });
    }

    @Test
    void answersPermissionDeniedWithoutAnIdentity() {
        server.start();
        assertThatThrownBy(() -> stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next())
            .isInstanceOfSatisfying(StatusRuntimeException.class, ex -> {
                assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(ex.getStatus().getDescription()).isEqualTo("no identity issued");
            });
    }

    @Test
    void streamsTheSvidWithItsKeyAndBundlesAndPushesRotations() {
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");
        server.identity(ID).federateWith(partner).start();
        Iterator<X509SVIDResponse> stream = stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance());
        X509SVIDResponse first = stream.next();
        assertThat(first.getSvids(0).getSpiffeId()).isEqualTo(ID);
        assertThat(first.getSvids(0).getX509Svid().toByteArray()).isEqualTo(encoded(server.currentSvid()));
        assertThat(first.getSvids(0).getX509SvidKey().toByteArray())
            .isEqualTo(server.currentSvid().privateKey().getEncoded());
        assertThat(first.getFederatedBundlesMap()).containsOnlyKeys("spiffe://partner.example");

        TestSvid rotated = server.rotate();
        assertThat(stream.next().getSvids(0).getX509Svid().toByteArray()).isEqualTo(encoded(rotated));
    }

    @Test
    void rotatesByItselfAtHalfTheTtl() {
        server.svidTtl(Duration.ofMillis(600)).identity(ID).start().autoRotate();
        Iterator<X509SVIDResponse> stream = stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance());
        byte[] first = stream.next().getSvids(0).getX509Svid().toByteArray();
        byte[] second = stream.next().getSvids(0).getX509Svid().toByteArray();
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void streamsBundles() {
        server.identity(ID).start();
        Iterator<X509BundlesResponse> stream = stub().fetchX509Bundles(X509BundlesRequest.getDefaultInstance());
        assertThat(stream.next().getBundlesMap()).containsOnlyKeys("spiffe://example.org");
        server.federateWith(TestCertificateAuthority.create("partner.example"));
        assertThat(stream.next().getBundlesMap()).containsOnlyKeys("spiffe://example.org", "spiffe://partner.example");
    }

    @Test
    void servesBrokenBundlesVerbatimUnderAnyKey() {
        server.identity(ID).start();
        Iterator<X509SVIDResponse> stream = stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance());
        stream.next();
        server.serveFederatedBundle("not a trust domain", new byte[] { 1, 2, 3 });
        assertThat(stream.next().getFederatedBundlesMap())
            .containsExactly(Map.entry("not a trust domain", ByteString.copyFrom(new byte[] { 1, 2, 3 })));
        server.serveOwnBundle(new byte[0]);
        assertThat(stream.next().getSvids(0).getBundle().isEmpty()).isTrue();
        server.serveOwnBundle(null);
        assertThat(stream.next().getSvids(0).getBundle().isEmpty()).isFalse();
        server.serveFederatedBundle("not a trust domain", null);
        assertThat(stream.next().getFederatedBundlesMap()).isEmpty();
    }

    @Test
    void endsOpenStreamsWithAnErrorOnDemand() {
        server.identity(ID).start();
        Iterator<X509SVIDResponse> stream = stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance());
        stream.next();
        server.failOpenStreams(Status.Code.INVALID_ARGUMENT, "agent misbehaves");
        assertThatThrownBy(stream::next).isInstanceOfSatisfying(StatusRuntimeException.class, ex -> {
            assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(ex.getStatus().getDescription()).isEqualTo("agent misbehaves");
        });
        assertThat(server.openSvidStreams()).isZero();
    }

    @Test
    void restartsOnTheSameSocket() {
        server.identity(ID).start();
        assertThat(stub().fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next().getSvidsCount()).isEqualTo(1);
        server.stop();
        assertThat(server.socketPath()).doesNotExist();
        server.start();
        assertThat(stub().withWaitForReady()
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
            .next()
            .getSvidsCount()).isEqualTo(1);
    }

    private SpiffeWorkloadAPIBlockingStub stub() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER), "true");
        return SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static byte[] encoded(TestSvid svid) {
        try {
            return svid.leaf().getEncoded();
        }
        catch (java.security.cert.CertificateEncodingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void issuesJwtSvidsSignedByTheTrustDomainsJwtKeyForTheAskedAudiences() throws Exception {
        server.identity(ID).start();
        var response = stub().fetchJWTSVID(io.spiffe.workloadapi.grpc.Workload.JWTSVIDRequest.newBuilder()
            .addAudience("spiffe://example.org/ns/test/sa/api")
            .build());
        assertThat(response.getSvids(0).getSpiffeId()).isEqualTo(ID);
        var jwt = com.nimbusds.jwt.SignedJWT.parse(response.getSvids(0).getSvid());
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(ID);
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("spiffe://example.org/ns/test/sa/api");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(server.authority().jwt().signingKey().getKeyID());
        assertThat(jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(server.authority().jwt().signingKey()))).isTrue();
        assertThat(server.jwtSvidRequestCount()).isEqualTo(1);
    }

    @Test
    void aJwtSvidRequestWithoutAudienceIsInvalidArgumentAsInSpire() {
        server.identity(ID).start();
        assertThatThrownBy(() -> stub().fetchJWTSVID(io.spiffe.workloadapi.grpc.Workload.JWTSVIDRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                    ex -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void streamsTheJwtBundleOnEveryKeyRotationAndRetirement() throws Exception {
        server.identity(ID).start();
        Iterator<io.spiffe.workloadapi.grpc.Workload.JWTBundlesResponse> stream = stub()
            .fetchJWTBundles(io.spiffe.workloadapi.grpc.Workload.JWTBundlesRequest.getDefaultInstance());
        String first = server.authority().jwt().signingKey().getKeyID();
        assertThat(keyIds(stream.next())).containsExactly(first);
        server.rotateJwtKey();
        String second = server.authority().jwt().signingKey().getKeyID();
        assertThat(keyIds(stream.next())).containsExactlyInAnyOrder(first, second);
        server.retireOldJwtKeys();
        assertThat(keyIds(stream.next())).containsExactly(second);
    }

    private static java.util.List<String> keyIds(io.spiffe.workloadapi.grpc.Workload.JWTBundlesResponse response)
            throws java.text.ParseException {
        return com.nimbusds.jose.jwk.JWKSet.parse(response.getBundlesOrThrow("spiffe://example.org").toStringUtf8())
            .getKeys()
            .stream()
            .map(com.nimbusds.jose.jwk.JWK::getKeyID)
            .toList();
    }
}
