package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load driver: ApacheBench ({@code ab}, Debian's apache2-utils), POSTing a JSON charge to
 * {@code /api/payments/charge} with a client certificate ({@code -E}). ab does not verify the server's
 * certificate, negotiates TLS 1.3 through OpenSSL, never resumes TLS sessions, and leaves Nagle's algorithm
 * on (it sets no socket options): with a new connection per request it pays the delayed-ACK wait on servers
 * that send nothing after the handshake, as Java clients with Nagle on do. Every run's full output is kept
 * in the log directory.
 */
final class ApacheBench {

    static final String PATH = "/api/payments/charge";

    static final String BODY = "{\"orderId\":\"o-1001\",\"amount\":42}";

    /** ab allocates its statistics for all -n requests up front: enough for 50,000 requests per second. */
    private static final int REQUESTS_PER_SECOND_CAP = 50_000;

    private final Path clientFile;

    private final Path body;

    private final Path logDirectory;

    private final AtomicInteger runs = new AtomicInteger();

    private final List<String> prefix;

    ApacheBench(Path clientFile, Path workDirectory, Path logDirectory) throws IOException {
        this(clientFile, workDirectory, logDirectory, List.of());
    }

    /** @param prefix what ab runs behind ({@code taskset -c 0}, say) */
    ApacheBench(Path clientFile, Path workDirectory, Path logDirectory, List<String> prefix) throws IOException {
        this.prefix = List.copyOf(prefix);
        this.clientFile = clientFile;
        this.body = workDirectory.resolve("charge.json");
        this.logDirectory = logDirectory;
        Files.writeString(body, BODY);
    }

    /** The JSON body of every request. */
    Path body() {
        return body;
    }

    /** {@code requests} requests, or as many as fit in {@code time} when it is not null. */
    AbResult run(String label, int port, int concurrency, boolean keepAlive, Duration time, int requests)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("ab", "-q", "-d", "-r", "-s", "30", "-c", String.valueOf(concurrency)));
        if (keepAlive) {
            command.add("-k");
        }
        if (time != null) {
            // -t sets -n to 50000; -n after it raises the cap so that time, not count, ends the run.
            command.addAll(List.of("-t", String.valueOf(Math.max(1, time.toSeconds())), "-n",
                    String.valueOf(Math.max(requests, REQUESTS_PER_SECOND_CAP * Math.max(1, time.toSeconds())))));
        }
        else {
            command.addAll(List.of("-n", String.valueOf(requests)));
        }
        command.addAll(List.of("-E", clientFile.toString(), "-p", body.toString(), "-T", "application/json",
                "https://127.0.0.1:" + port + PATH));
        Path log = logDirectory.resolve(String.format("ab-%04d-%s.txt", runs.incrementAndGet(), label));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long limit = ((time != null) ? time.toSeconds() : 0) + 600;
        if (!process.waitFor(limit, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("ab did not finish within " + limit + " s; see " + log);
        }
        String output = Files.readString(log);
        if (process.exitValue() != 0) {
            throw new IOException("ab exited with " + process.exitValue() + " (" + String.join(" ", command) + "):\n" + output);
        }
        return AbResult.parse(output);
    }
}
