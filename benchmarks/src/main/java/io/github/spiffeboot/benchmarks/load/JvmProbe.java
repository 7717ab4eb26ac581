package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a server JVM from outside, as an operator would: CPU time, threads and open file descriptors from
 * {@code /proc/<pid>}, heap after a full GC from {@code jcmd}, and Tomcat's HTTP sessions from the
 * Prometheus endpoint on the management port (the same Actuator setup in every server, so it costs the same).
 */
final class JvmProbe {

    /** Linux clock ticks per second for /proc/<pid>/stat ({@code getconf CLK_TCK}; 100 on every Linux we run). */
    static final long CLOCK_TICKS_PER_SECOND = clockTicks();

    private static final Pattern THREADS = Pattern.compile("(?m)^Threads:\\s+(\\d+)");

    private static final Pattern HEAP_USED = Pattern.compile("(?m)^\\s*garbage-first heap\\s+total \\d+K, used (\\d+)K");

    private static final Pattern ACTIVE_SESSIONS = Pattern.compile("(?m)^tomcat_sessions_active_current_sessions(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)");

    private static final Pattern CREATED_SESSIONS = Pattern.compile("(?m)^tomcat_sessions_created_sessions_total(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)");

    private final long pid;

    private final int managementPort;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    JvmProbe(long pid, int managementPort) {
        this.pid = pid;
        this.managementPort = managementPort;
    }

    /** User plus system CPU time of all the JVM's threads so far, in clock ticks. */
    long cpuTicks() throws IOException {
        return cpuTicks(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
    }

    int threads() throws IOException {
        Matcher matcher = THREADS.matcher(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
        if (!matcher.find()) {
            throw new IOException("no Threads: line in /proc/" + pid + "/status");
        }
        return Integer.parseInt(matcher.group(1));
    }

    int fileDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) descriptors.count();
        }
    }

    /** Runs a full GC ({@code jcmd GC.run}), then reads the used heap ({@code jcmd GC.heap_info}), in bytes. */
    long heapAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        return heapUsed(jcmd("GC.heap_info"));
    }

    /** Tomcat's HTTP sessions: open now, and created since start. */
    Sessions sessions() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
            .timeout(Duration.ofSeconds(10))
            .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /actuator/prometheus on port " + managementPort + " answered " + response.statusCode());
        }
        return sessions(response.body());
    }

    /**
     * HTTP sessions.
     *
     * @param active open now
     * @param created created since the server started
     */
    record Sessions(long active, long created) {

        /** A WebFlux server: no servlet sessions to count (its Set-Cookie probe still runs). */
        static final Sessions NOT_APPLICABLE = new Sessions(-1, -1);

        String describe(long count) {
            return (count < 0) ? "n/a" : String.valueOf(count);
        }
    }

    static long cpuTicks(String stat) {
        // The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    static long heapUsed(String heapInfo) {
        Matcher matcher = HEAP_USED.matcher(heapInfo);
        if (!matcher.find()) {
            throw new IllegalArgumentException(
                    "jcmd GC.heap_info shows no G1 heap (the servers run with -XX:+UseG1GC):\n" + heapInfo);
        }
        return Long.parseLong(matcher.group(1)) * 1024;
    }

    static Sessions sessions(String prometheus) {
        return new Sessions(metric(ACTIVE_SESSIONS, prometheus), metric(CREATED_SESSIONS, prometheus));
    }

    private static long metric(Pattern pattern, String prometheus) {
        Matcher matcher = pattern.matcher(prometheus);
        if (!matcher.find()) {
            throw new IllegalArgumentException("the Prometheus scrape has no " + pattern + " (Tomcat metrics missing?)");
        }
        return (long) Double.parseDouble(matcher.group(1));
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(jdkTool("jcmd"), String.valueOf(pid), command)).redirectErrorStream(true)
            .start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed:\n" + output);
        }
        return output;
    }

    private static String jdkTool(String name) {
        Path tool = Path.of(System.getProperty("java.home"), "bin", name);
        return Files.isExecutable(tool) ? tool.toString() : name;
    }

    private static long clockTicks() {
        try {
            Process process = new ProcessBuilder("getconf", "CLK_TCK").start();
            String output = new String(process.getInputStream().readAllBytes()).trim();
            process.waitFor();
            return Long.parseLong(output);
        }
        catch (IOException | RuntimeException ex) {
            return 100;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
