package io.github.spiffeboot.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import io.github.spiffeboot.benchmarks.load.LoadComparison.After;
import io.github.spiffeboot.benchmarks.load.LoadComparison.Measurement;
import io.github.spiffeboot.benchmarks.load.LoadComparison.Mode;
import io.github.spiffeboot.benchmarks.load.LoadComparison.Results;
import io.github.spiffeboot.benchmarks.load.LoadComparison.Round;

/** The comparison's section of BENCHMARKS.md: how it was run, the medians, and every raw number behind them. */
final class LoadReport {

    /** The ratios reported, numerator over denominator, where a run measured both peers. */
    private static final Peer[][] ALL_RATIOS = { { Peer.STARTER, Peer.PLAIN }, { Peer.SECURITY, Peer.PLAIN },
            { Peer.STARTER, Peer.SECURITY }, { Peer.X509, Peer.PLAIN }, { Peer.STARTER, Peer.X509 },
            { Peer.NETTY_JDK, Peer.PLAIN_NETTY }, { Peer.PLAIN_NETTY, Peer.PLAIN },
            { Peer.NETTY_JDK, Peer.PLAIN }, { Peer.NETTY_BORINGSSL, Peer.PLAIN },
            { Peer.NETTY_BORINGSSL, Peer.NETTY_JDK }, { Peer.NETTY_BORINGSSL, Peer.STARTER } };

    private static Peer[][] ratios(java.util.Collection<Peer> peers) {
        return java.util.Arrays.stream(ALL_RATIOS)
            .filter(ratio -> peers.contains(ratio[0]) && peers.contains(ratio[1]))
            .toArray(Peer[][]::new);
    }

    private static final ToDoubleFunction<Measurement> RATE = measurement -> measurement.ab().requestsPerSecond();

    private static final ToDoubleFunction<Measurement> CPU = Measurement::cpuMicrosPerRequest;

    private LoadReport() {
    }

    static String markdown(LoadOptions options, String command, Machine machine, String loadAverageAtEnd,
            Results results) {
        StringBuilder md = new StringBuilder();
        Peer[][] measured = ratios(options.peers());
        md.append(options.engines()
                ? "## Load: TLS engines and WebFlux (plain Boot on Tomcat and on Reactor Netty; the starter on Reactor Netty with the JDK's TLS and with BoringSSL)"
                : "## Load: the starter against plain Spring Boot TLS and Spring Security x509()");
        md.append(options.pin() ? ", each server pinned to one CPU\n\n" : "\n\n");
        if (options.smoke()) {
            md.append("> **SMOKE RUN, not the final numbers.** Short rounds and a short warm-up on a machine shared with ")
                .append("other builds: this proves the harness end to end and says little about the servers. The full run ")
                .append("is `benchmarks/load.sh`.\n\n");
        }
        md.append(machine.runLines(command, loadAverageAtEnd));
        md.append("- CPUs: ").append(options.pinning().describe()).append(".\n");
        md.append("- Servers: one JVM each, started once, `java ").append(String.join(" ", options.jvmFlags()))
            .append(" -jar <jar> ").append(String.join(" ", ServerLauncher.SERVER_ARGUMENTS)).append("`:");
        for (Peer peer : options.peers()) {
            md.append(" ").append(peer.key()).append(" = `").append(peer.jar()).append("`")
                .append(peer.arguments().isEmpty() ? "" : " " + String.join(" ", peer.arguments()))
                .append(peer.usesStarter() ? " (SVID from the development Workload API, lifetime " + options.measurementTtl() + ")" : "")
                .append(";");
        }
        md.append(" All of them: the same endpoints, Actuator and Prometheus on a plain-HTTP management port, TLS with ")
            .append("`client-auth=need`, EC P-256 certificates from one CA.\n");
        md.append("- Driver: ").append(machine.ab()).append(", `ab -c ").append(options.concurrency())
            .append(" [-k] -E order-service.pem -p charge.json -T application/json https://127.0.0.1:<port>")
            .append(ApacheBench.PATH).append("`: POST `").append(ApacheBench.BODY).append("` as `").append(BenchmarkPki.ORDER)
            .append("`. ab does not resume TLS sessions and sets no socket options (Nagle stays on). TLS negotiated: ");
        List<String> tls = new ArrayList<>();
        for (Peer peer : options.peers()) {
            tls.add(peer.key() + " " + results.warmups().get(peer).get(0).ab().tls());
        }
        md.append(String.join(", ", tls)).append(".\n");
        md.append("- Warm-up per server: ").append(options.warmupKeepAlive()).append(" keep-alive requests, then ")
            .append(options.warmupNewConnections()).append(" with a new connection each; ends at ");
        List<String> warm = new ArrayList<>();
        for (Peer peer : options.peers()) {
            List<Measurement> warmup = results.warmups().get(peer);
            warm.add(String.format("%s %.0f / %.0f req/s", peer.key(), warmup.get(0).ab().requestsPerSecond(),
                    warmup.get(1).ab().requestsPerSecond()));
        }
        md.append(String.join(", ", warm)).append(" (keep-alive / new connection, whole warm-up run).\n");
        md.append("- Rounds: ").append(options.rounds()).append(" per mode, each server once per round, in the order ")
            .append(options.peers().stream().map(Peer::key).collect(Collectors.joining(", ")))
            .append(" and reversed every other round; ").append(options.keepAliveRound().toSeconds())
            .append(" s per server and keep-alive round, ").append(options.newConnectionRound().toSeconds())
            .append(" s per server and new-connection round.\n");
        md.append("- Server CPU per request: user + system time of the server process (`/proc/<pid>/stat`, all threads) ")
            .append("over each ab run, divided by the requests completed. Lower is better; a CPU ratio of 2 means twice ")
            .append("the CPU per request.\n\n");

        md.append("### Median of the per-round ratios\n\n");
        md.append("| mode").append(ratioHeader(measured)).append(" |\n");
        md.append("| ---").append(" | ---:".repeat(2 * measured.length)).append(" |\n");
        for (Mode mode : Mode.values()) {
            md.append("| ").append(mode.title);
            for (ToDoubleFunction<Measurement> metric : List.of(RATE, CPU)) {
                for (Peer[] ratio : measured) {
                    md.append(String.format(" | %.2f", median(results.rounds(), mode, ratio, metric)));
                }
            }
            md.append(" |\n");
        }

        md.append("\n### Every round\n\n");
        md.append("| mode | round | server | requests | seconds | req/s | server CPU µs/request | failed | non-2xx | keep-alive requests |\n");
        md.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Round round : results.rounds()) {
            for (Peer peer : round.order()) {
                Measurement measurement = round.measurements().get(peer);
                AbResult ab = measurement.ab();
                md.append(String.format("| %s | %d | %s | %d | %.2f | %.1f | %.1f | %d | %d | %d |%n", round.mode().title,
                        round.number(), peer.key(), ab.complete(), ab.seconds(), ab.requestsPerSecond(),
                        measurement.cpuMicrosPerRequest(), ab.failed(), ab.non2xx(), ab.keepAliveRequests()));
            }
        }
        md.append("\n| mode | round").append(ratioHeader(measured)).append(" |\n");
        md.append("| --- | ---:").append(" | ---:".repeat(2 * measured.length)).append(" |\n");
        for (Round round : results.rounds()) {
            md.append("| ").append(round.mode().title).append(" | ").append(round.number());
            for (ToDoubleFunction<Measurement> metric : List.of(RATE, CPU)) {
                for (Peer[] ratio : measured) {
                    md.append(String.format(" | %.3f", round.ratio(ratio[0], ratio[1], metric)));
                }
            }
            md.append(" |\n");
        }

        md.append("\n### The servers after their measurements\n\n");
        md.append("Heap used after a full GC (`jcmd <pid> GC.run`, then `GC.heap_info`); HTTP sessions from Tomcat's ")
            .append("Micrometer meters (`tomcat_sessions_active_current_sessions`, `tomcat_sessions_created_sessions_total` ")
            .append("on `/actuator/prometheus`); threads from `/proc/<pid>/status`; descriptors from `/proc/<pid>/fd`.\n\n");
        md.append("| server | pid | heap after GC (MiB) | HTTP sessions open | HTTP sessions created | threads | open fds |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Peer peer : options.peers()) {
            After after = results.after().get(peer);
            md.append(String.format("| %s | %d | %.1f | %s | %s | %d | %d |%n", peer.key(), results.pids().get(peer),
                    after.heapAfterGc() / 1048576.0, after.sessions().describe(after.sessions().active()),
                    after.sessions().describe(after.sessions().created()), after.threads(), after.fileDescriptors()));
        }

        md.append("\n### Set-Cookie: one `curl -sv` request each, after the measurements\n\n");
        md.append("| server | request | answer | Set-Cookie | TLS |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        for (Peer peer : options.peers()) {
            for (CookieProbe.Result probe : results.probes().get(peer)) {
                md.append("| ").append(peer.key()).append(" | ").append(probe.request()).append(" | ")
                    .append(probe.outcome().replace("|", "\\|")).append(" | ")
                    .append(probe.setCookies().isEmpty() ? "none" : "**" + String.join(", ", probe.setCookies()) + "**")
                    .append(" | ").append(probe.tls()).append(" |\n");
            }
        }

        md.append("\n### Validity\n\n");
        if (results.problems().isEmpty()) {
            md.append("Every ab run: 0 failed and 0 non-2xx requests; keep-alive runs reused connections for at least 99 % ")
                .append("of their requests, new-connection runs for none.\n");
        }
        else {
            md.append("**This run is not valid:**\n\n");
            results.problems().forEach(problem -> md.append("- ").append(problem).append('\n'));
        }
        return md.toString();
    }

    /** The ratio columns: requests per second, then CPU per request, for each of the measured ratios. */
    private static String ratioHeader(Peer[][] measured) {
        StringBuilder header = new StringBuilder();
        for (String metric : List.of("req/s", "CPU/request")) {
            for (Peer[] ratio : measured) {
                header.append(" | ").append(metric).append(' ').append(ratio[0].key()).append('/').append(ratio[1].key());
            }
        }
        return header.toString();
    }

    static double median(List<Round> rounds, Mode mode, Peer[] ratio, ToDoubleFunction<Measurement> metric) {
        List<Double> values = new ArrayList<>();
        for (Round round : rounds) {
            if (round.mode() == mode) {
                values.add(round.ratio(ratio[0], ratio[1], metric));
            }
        }
        return Statistics.median(values);
    }

    /** The medians as one line per mode, for the console. */
    static List<String> summary(Results results) {
        List<String> lines = new ArrayList<>();
        Peer[][] measured = ratios(results.pids().keySet());
        for (Mode mode : Mode.values()) {
            List<String> ratios = new ArrayList<>();
            for (String metric : List.of("req/s", "CPU/request")) {
                for (Peer[] ratio : measured) {
                    ratios.add(String.format("%s %s/%s %.2f", metric, ratio[0].key(), ratio[1].key(),
                            median(results.rounds(), mode, ratio, metric.equals("req/s") ? RATE : CPU)));
                }
            }
            lines.add(mode.title + ": " + String.join(", ", ratios));
        }
        for (Map.Entry<Peer, After> after : results.after().entrySet()) {
            lines.add(after.getKey().key() + ": sessions open " + after.getValue().sessions().active() + ", created "
                    + after.getValue().sessions().created());
        }
        return lines;
    }
}
