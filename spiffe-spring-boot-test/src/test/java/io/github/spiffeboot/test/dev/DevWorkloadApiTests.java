package io.github.spiffeboot.test.dev;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The development Workload API behaves as an agent across restarts, checked with a plain gRPC client. */
class DevWorkloadApiTests {

    private static final String ID = "spiffe://example.org/ns/test/sa/app";

    @TempDir
    Path directory;

    @Test
    void restartedOnTheSameDirectoryIssuesSvidsThatTheFirstRunsBundleTrusts() throws Exception {
        X509Certificate firstRoot;
        try (DevWorkloadApi first = DevWorkloadApi.start(directory, "example.org", Duration.ofMinutes(1), Map.of("app", ID))) {
            firstRoot = first.authority().certificate();
        }
        List<X509Certificate> bundleOfFirstRun = certificates(Files.readAllBytes(directory.resolve("bundle.pem")));
        assertThat(bundleOfFirstRun).containsExactly(firstRoot);

        try (DevWorkloadApi second = DevWorkloadApi.start(directory, "example.org", Duration.ofMinutes(1), Map.of("app", ID))) {
            assertThat(second.authority().certificate()).isEqualTo(firstRoot);
            List<X509Certificate> served = fetchSvid(directory.resolve("app.sock"));
            assertThat(served.get(0)).isEqualTo(second.workload("app").currentSvid().leaf());
            validate(served, firstRoot);
        }
    }

    @Test
    void keepsTheCaKeyReadableByItsOwnerOnly() throws Exception {
        try (DevWorkloadApi dev = DevWorkloadApi.start(directory, "example.org", Duration.ofMinutes(1), Map.of("app", ID))) {
            assertThat(Files.getPosixFilePermissions(directory.resolve(DevWorkloadApi.CA_KEY_FILE)))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
    }

    @Test
    void refusesACaOfAnotherTrustDomainLeftInTheDirectory() throws Exception {
        try (DevWorkloadApi dev = DevWorkloadApi.start(directory, "example.org", Duration.ofMinutes(1), Map.of("app", ID))) {
            assertThat(dev.authority().trustDomain()).isEqualTo("example.org");
        }
        assertThatThrownBy(() -> DevWorkloadApi.start(directory, "other.example", Duration.ofMinutes(1),
                    Map.of("app", "spiffe://other.example/app")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("example.org")
            .hasMessageContaining("other.example")
            .hasMessageContaining(directory.resolve(DevWorkloadApi.CA_CERTIFICATE_FILE).toString());
    }

    private static List<X509Certificate> fetchSvid(Path socket) throws Exception {
        EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(eventLoop)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER), "true");
            byte[] der = SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                .next()
                .getSvids(0)
                .getX509Svid()
                .toByteArray();
            return certificates(der);
        }
        finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void validate(List<X509Certificate> chain, X509Certificate root) throws GeneralSecurityException {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
            .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
    }

    private static List<X509Certificate> certificates(byte[] encoded) throws GeneralSecurityException, IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(encoded)) {
            CertificateFactory.getInstance("X.509").generateCertificates(in)
                .forEach(certificate -> certificates.add((X509Certificate) certificate));
        }
        return certificates;
    }
}
