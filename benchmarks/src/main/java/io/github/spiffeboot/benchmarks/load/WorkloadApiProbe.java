package io.github.spiffeboot.benchmarks.load;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDRequest;

/**
 * Asks the Workload API which SVID it issues now, as a workload would (gRPC on the Unix socket, with the
 * security header): the soak compares that with the certificate the server presents. A fresh channel per
 * call, so that a restarted agent is seen at once rather than after a channel's reconnect backoff.
 */
final class WorkloadApiProbe implements AutoCloseable {

    /** Netty warns on every Unix socket that SO_KEEPALIVE does not apply. Held, or JUL forgets the level. */
    private static final Logger NETTY_BOOTSTRAP = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

    private final EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

    WorkloadApiProbe() {
        NETTY_BOOTSTRAP.setLevel(Level.SEVERE);
    }

    /** The leaf of the SVID served now; IOException when the Workload API does not answer within 2 s. */
    X509Certificate fetch(Path socket) throws IOException {
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(eventLoop)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER), "true");
            byte[] chain = SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                .next()
                .getSvids(0)
                .getX509Svid()
                .toByteArray();
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(chain));
        }
        catch (StatusRuntimeException | CertificateException | IndexOutOfBoundsException ex) {
            throw new IOException("cannot fetch an SVID from " + socket + ": " + ex.getMessage(), ex);
        }
        finally {
            channel.shutdownNow();
        }
    }

    @Override
    public void close() {
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
