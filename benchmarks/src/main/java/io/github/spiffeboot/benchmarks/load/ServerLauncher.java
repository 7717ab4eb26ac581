package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts each {@link Peer} in its own JVM with the same flags and the same Tomcat settings, so that only
 * their TLS and security differ: the peers read the run's PEM files, the starter reads the development
 * Workload API's socket.
 */
final class ServerLauncher {

    /**
     * Passed to every server. Tomcat closes a keep-alive connection after 100 requests by default; unlimited
     * keeps the keep-alive mode free of handshakes (which the new-connection mode measures on its own).
     */
    static final List<String> SERVER_ARGUMENTS = List.of("--server.tomcat.max-keep-alive-requests=-1");

    private final Path root;

    private final List<String> jvmFlags;

    private final BenchmarkPki pki;

    private final DevWorkloadApiProcess workloadApi;

    private final Path logDirectory;

    private final CpuPinning pinning;

    ServerLauncher(Path root, List<String> jvmFlags, BenchmarkPki pki, DevWorkloadApiProcess workloadApi,
            Path logDirectory) {
        this(root, jvmFlags, pki, workloadApi, logDirectory, CpuPinning.of(false));
    }

    ServerLauncher(Path root, List<String> jvmFlags, BenchmarkPki pki, DevWorkloadApiProcess workloadApi,
            Path logDirectory, CpuPinning pinning) {
        this.pinning = pinning;
        this.root = root;
        this.jvmFlags = jvmFlags;
        this.pki = pki;
        this.workloadApi = workloadApi;
        this.logDirectory = logDirectory;
    }

    /** Starts {@code peer} and waits until its management port reports health UP. */
    ServerProcess start(Peer peer) throws IOException, InterruptedException {
        return start(peer, Map.of());
    }

    /** Starts {@code peer} with {@code extraEnvironment} too (a gRPC port, say). */
    ServerProcess start(Peer peer, Map<String, String> extraEnvironment) throws IOException, InterruptedException {
        Map<String, String> environment = new java.util.HashMap<>(peer.usesStarter()
                ? Map.of("SPIFFE_ENDPOINT_SOCKET", workloadApi.address())
                : Map.of("BENCHMARK_PKI_DIR", pki.directory().toString()));
        environment.putAll(extraEnvironment);
        List<String> arguments = new ArrayList<>(SERVER_ARGUMENTS);
        arguments.addAll(peer.arguments());
        ServerProcess server = ServerProcess.start(pinning.server(), peer.key(), peer.jar(root), jvmFlags, arguments,
                environment, freePort(), freePort(), logDirectory);
        try {
            server.awaitReady(Duration.ofMinutes(3));
        }
        catch (RuntimeException | IOException | InterruptedException ex) {
            server.close();
            throw ex;
        }
        return server;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
