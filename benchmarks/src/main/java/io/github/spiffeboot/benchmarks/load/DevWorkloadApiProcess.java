package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.spiffeboot.test.dev.DevWorkloadApi;

/**
 * The development Workload API ({@link DevWorkloadApi}) as its own process, serving payment-service's
 * identity on {@code <directory>/payment-service.sock}. It keeps its CA in the directory, so that
 * {@link #restart} (stop the process, wait, start a new one on the same socket) keeps the trust bundle, as a
 * SPIRE agent restart does.
 */
final class DevWorkloadApiProcess implements AutoCloseable {

    static final String WORKLOAD = "payment-service";

    private final Path directory;

    private final Path logDirectory;

    private final WorkloadApiProbe probe;

    private Duration ttl;

    private Process process;

    private int starts;

    DevWorkloadApiProcess(Path directory, Path logDirectory, WorkloadApiProbe probe) {
        this.directory = directory;
        this.logDirectory = logDirectory;
        this.probe = probe;
    }

    Path socket() {
        return directory.resolve(WORKLOAD + ".sock");
    }

    /** {@code unix://...}, for SPIFFE_ENDPOINT_SOCKET. */
    String address() {
        return "unix://" + socket();
    }

    Duration ttl() {
        return ttl;
    }

    /** Starts serving SVIDs that live {@code ttl} (rotated at half of it); returns once an SVID can be fetched. */
    synchronized void start(Duration ttl) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the development Workload API is already running");
        }
        this.ttl = ttl;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = logDirectory.resolve("workload-api-" + (++starts) + ".log");
        // A small, quickly started JVM: on a machine saturated by the load, start-up is most of a restart's time.
        process = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                DevWorkloadApi.class.getName(), "--dir", directory.toString(), "--ttl", ttl.toString(),
                WORKLOAD + "=" + BenchmarkPki.PAYMENT))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        Instant deadline = Instant.now().plusSeconds(60);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the development Workload API exited with " + process.exitValue()
                        + "; see " + log);
            }
            try {
                probe.fetch(socket());
                return;
            }
            catch (IOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the development Workload API did not serve within 60 s; see " + log,
                            notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    /** Stops the process (SIGTERM, as an agent being restarted), which breaks the streams and removes the socket. */
    synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    /** Stops, stays down for {@code downtime}, and starts again on the same socket with {@code ttl}. */
    void restart(Duration downtime, Duration ttl) throws IOException, InterruptedException {
        stop();
        Thread.sleep(downtime.toMillis());
        start(ttl);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
