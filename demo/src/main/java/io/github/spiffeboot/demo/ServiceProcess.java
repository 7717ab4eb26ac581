package io.github.spiffeboot.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A sample service run as a child process (as it would run for real), with its log in a file. */
final class ServiceProcess implements AutoCloseable {

    private final String name;

    private final Process process;

    private final Path log;

    private final int port;

    private final int managementPort;

    private ServiceProcess(String name, Process process, Path log, int port, int managementPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    static ServiceProcess start(String name, Path jar, List<String> jvmOptions, Map<String, String> environment,
            int port, int managementPort, Path logDirectory) throws IOException {
        Path log = logDirectory.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().put("MANAGEMENT_PORT", String.valueOf(managementPort));
        return new ServiceProcess(name, builder.start(), log, port, managementPort);
    }

    /**
     * Starts {@code mainClass} from the demo's own executable jar, as its own process listening on
     * {@code port} (Boot's PropertiesLauncher runs any main class of the jar with its nested libraries).
     */
    static ServiceProcess startMain(String name, Path demoJar, String mainClass, List<String> arguments, int port,
            Path logDirectory) throws IOException {
        Path log = logDirectory.resolve(name + ".log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", demoJar.toString(),
                "-Dloader.main=" + mainClass, "org.springframework.boot.loader.launch.PropertiesLauncher"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(name, process, log, port, -1);
    }

    /** Waits until the service accepts connections; fails with its log if it exits or takes too long. */
    void awaitListening(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 200);
                return;
            }
            catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(name + " did not listen on port " + port + " within " + timeout + ":\n" + tail());
    }

    int port() {
        return port;
    }

    int managementPort() {
        return managementPort;
    }

    Path log() {
        return log;
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
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
