package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One server under test, in its own JVM (started with {@code java} directly, so that the process's id is the
 * JVM's and {@code /proc} and {@code jcmd} see the server itself), with its output in a log file.
 */
final class ServerProcess implements AutoCloseable {

    private final String name;

    private final Process process;

    private final Path log;

    private final int port;

    private final int managementPort;

    private final JvmProbe probe;

    private ServerProcess(String name, Process process, Path log, int port, int managementPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
        this.probe = new JvmProbe(process.pid(), managementPort);
    }

    /**
     * Starts {@code java <jvmFlags> -jar <jar> <arguments>} with {@code SERVER_PORT} and {@code MANAGEMENT_PORT}
     * in its environment, as the samples read them.
     */
    static ServerProcess start(String name, Path jar, List<String> jvmFlags, List<String> arguments,
            Map<String, String> environment, int port, int managementPort, Path logDirectory) throws IOException {
        return start(List.of(), name, jar, jvmFlags, arguments, environment, port, managementPort, logDirectory);
    }

    /** As above, behind {@code prefix} ({@code taskset -c 1}, say). */
    static ServerProcess start(List<String> prefix, String name, Path jar, List<String> jvmFlags,
            List<String> arguments, Map<String, String> environment, int port, int managementPort, Path logDirectory)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("missing " + jar + ": build first (benchmarks/load.sh does)");
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(arguments);
        Path log = logDirectory.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // payment-service also serves gRPC: any free port unless the caller names one, so peers never collide.
        builder.environment().put("GRPC_PORT", "0");
        builder.environment().putAll(environment);
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().put("MANAGEMENT_PORT", String.valueOf(managementPort));
        return new ServerProcess(name, builder.start(), log, port, managementPort);
    }

    /** Waits until the management port reports health UP; fails with the log's tail if the server exits or is late. */
    void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health"))
            .timeout(Duration.ofSeconds(5))
            .build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " was not healthy within " + timeout + ":\n" + tail());
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    JvmProbe probe() {
        return probe;
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            catch (InterruptedException ex) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
