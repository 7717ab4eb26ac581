package io.github.spiffeboot.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package) as a child process, listening on a TLS port only and
 * requiring a client certificate that chains to the given CA file ({@code tls-auth-clients yes}). Fails
 * loudly when {@code redis-server} is not installed: {@code .ci/run} installs it.
 */
final class RedisServer implements AutoCloseable {

    private final Process process;

    private final int port;

    private final Path log;

    private RedisServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static RedisServer start(Path dir, Path certificate, Path key, Path caFile) throws IOException, InterruptedException {
        int port = freePort();
        Path log = dir.resolve("redis.log");
        List<String> command = new ArrayList<>(List.of(executable(), "--port", "0", "--tls-port",
                String.valueOf(port), "--bind", "127.0.0.1", "--tls-cert-file", certificate.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", caFile.toString(), "--tls-auth-clients",
                "yes", "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--logfile", log.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.out").toFile())
            .start();
        RedisServer server = new RedisServer(process, port, log);
        server.awaitPort();
        return server;
    }

    int port() {
        return port;
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        }
        catch (IOException ex) {
            return "(cannot read " + log + ": " + ex.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private void awaitPort() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + log());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            }
            catch (IOException ex) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not open port " + port + " within 20 s: " + log());
    }

    private static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "redis-server"))) {
                return Path.of(dir, "redis-server").toString();
            }
        }
        throw new IllegalStateException("redis-server is not installed (apt-get install -y redis-server); "
                + "these tests run against a real Redis and are not skipped without one");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
