package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where and on what a run happened, for the report: numbers from a shared 2-core machine mean little
 * without the machine, the JDK, the tools, the commit and how busy the machine was.
 *
 * @param started when the run started (UTC)
 * @param processors {@code nproc}
 * @param cpuModel from /proc/cpuinfo
 * @param java {@code java -version} of the JDK that runs the servers
 * @param ab ab's version and Debian package version
 * @param curl curl's version line
 * @param kernel {@code uname -r}
 * @param commit the checkout's commit, with a note when it has uncommitted changes
 * @param loadAverage /proc/loadavg when the run started
 */
record Machine(Instant started, String processors, String cpuModel, String java, String ab, String curl, String kernel,
        String commit, String loadAverage) {

    static Machine describe(Path root) {
        String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String dirty = run(List.of("git", "-C", root.toString(), "status", "--porcelain")).isBlank() ? ""
                : " + uncommitted changes";
        return new Machine(Instant.now().truncatedTo(ChronoUnit.SECONDS), run(List.of("nproc")), readCpuModel(),
                String.join("; ", run(List.of(javaBinary, "-version")).lines().toList()),
                firstLine(run(List.of("ab", "-V"))).replace("This is ", "") + " (Debian apache2-utils "
                        + run(List.of("dpkg-query", "-W", "-f=${Version}", "apache2-utils")) + ")",
                firstLine(run(List.of("curl", "--version"))), run(List.of("uname", "-r")),
                run(List.of("git", "-C", root.toString(), "rev-parse", "--short", "HEAD")) + dirty, currentLoadAverage());
    }

    static String currentLoadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        }
        catch (IOException ex) {
            return "unknown";
        }
    }

    private static String readCpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown");
        }
        catch (IOException ex) {
            return "unknown";
        }
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("").trim();
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).trim();
            process.waitFor(30, TimeUnit.SECONDS);
            return output;
        }
        catch (IOException ex) {
            return "unknown (" + ex.getMessage() + ")";
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** How and where a load run ran, as the first lines of its BENCHMARKS.md section. */
    String runLines(String command, String loadAverageAtEnd) {
        return "Run " + started() + " with `" + command + "` at commit " + commit() + ".\n\n" + "- Machine: " + processors()
                + " cores (`nproc`), " + cpuModel() + ", kernel " + kernel() + "; load average at start `" + loadAverage()
                + "`, at end `" + loadAverageAtEnd + "` (the machine is shared: read ratios, not absolute numbers).\n"
                + "- JDK: " + java() + ".\n";
    }
}
