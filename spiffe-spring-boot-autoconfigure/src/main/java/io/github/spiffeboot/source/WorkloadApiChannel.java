package io.github.spiffeboot.source;

import java.util.concurrent.ThreadFactory;
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
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIStub;

/**
 * One gRPC channel to a Workload API over its Unix domain socket, with the {@code workload.spiffe.io: true}
 * header on every call (SPIRE answers InvalidArgument without it). Shared by the X.509 and JWT sources,
 * so both speak to the agent in exactly the same way. Building it opens nothing: the first call connects.
 */
public final class WorkloadApiChannel implements AutoCloseable {

    private static final Metadata.Key<String> SECURITY_HEADER = Metadata.Key.of("workload.spiffe.io",
            Metadata.ASCII_STRING_MARSHALLER);

    private final EventLoopGroup eventLoop;

    private final ManagedChannel channel;

    private final SpiffeWorkloadAPIStub stub;

    /**
     * @param threadName the name of the channel's single I/O thread (daemon)
     */
    public WorkloadApiChannel(WorkloadApiAddress address, String threadName) {
        this.eventLoop = new MultiThreadIoEventLoopGroup(1, daemonThreads(threadName), EpollIoHandler.newFactory());
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(address.path().toString()))
            .eventLoopGroup(this.eventLoop)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
        Metadata headers = new Metadata();
        headers.put(SECURITY_HEADER, "true");
        this.stub = SpiffeWorkloadAPIGrpc.newStub(this.channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** The asynchronous stub, with the security header attached. */
    public SpiffeWorkloadAPIStub stub() {
        return stub;
    }

    /**
     * Forgets gRPC's own connection backoff: without this the channel may sit out up to minutes after an
     * agent restart, whatever backoff the source itself chose.
     */
    public void resetConnectBackoff() {
        channel.resetConnectBackoff();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Daemon threads with one name: a source must never keep the JVM alive. */
    public static ThreadFactory daemonThreads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
