package io.github.spiffeboot.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The startup section of BENCHMARKS.md: how it was run, the medians, and every raw number behind them. */
final class StartupReport {

    /**
     * What a run measured.
     *
     * @param runs the rounds (each variant once per peer per round)
     * @param millis per variant and peer, each run's time to the first served request, in run order
     */
    record Results(int runs, Map<StartupVariant, Map<Peer, List<Double>>> millis) {

        double median(StartupVariant variant, Peer peer) {
            return Statistics.median(millis.get(variant).get(peer));
        }

        /** The median of the starter/plain ratios of the runs of one round (the pairs run back to back). */
        double medianRatio(StartupVariant variant) {
            List<Double> starter = millis.get(variant).get(Peer.STARTER);
            List<Double> plain = millis.get(variant).get(Peer.PLAIN);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < Math.min(starter.size(), plain.size()); i++) {
                ratios.add(starter.get(i) / plain.get(i));
            }
            return Statistics.median(ratios);
        }
    }

    private StartupReport() {
    }

    static String markdown(String command, boolean smoke, Machine machine, String loadAverageAtEnd, String jdk,
            String jdk25, Results results) {
        StringBuilder md = new StringBuilder();
        md.append("## Startup: time to the first served mTLS request\n\n");
        if (smoke) {
            md.append("> **SMOKE RUN, not the final numbers**: one round. The full run is `benchmarks/startup.sh`.\n\n");
        }
        md.append("Run ").append(machine.started()).append(" with `").append(command).append("` at commit ")
            .append(machine.commit()).append(".\n\n");
        md.append("- Machine: ").append(machine.processors()).append(" cores (`nproc`), ").append(machine.cpuModel())
            .append(", kernel ").append(machine.kernel()).append("; load average at start `").append(machine.loadAverage())
            .append("`, at end `").append(loadAverageAtEnd)
            .append("` (the machine is shared with other builds: read the ratios, not the absolute times).\n");
        md.append("- JDKs: ").append(jdk).append(" (all rows not marked JDK 25); ").append(jdk25).append(".\n");
        md.append("- Servers: starter = `").append(Peer.STARTER.jar()).append("` (its SVID from the development Workload ")
            .append("API on a Unix socket; since the gRPC sample it also starts Boot's gRPC server, which plain does ")
            .append("not: the starter's rows include that); plain = `").append(Peer.PLAIN.jar()).append("` (plain Spring Boot TLS, PEM ")
            .append("bundle from the same CA, `client-auth=need`, no Spring Security). Both: the same endpoints, Actuator ")
            .append("and Prometheus on a plain-HTTP management port, no extra JVM flags. Jars built with `-Paot` ")
            .append("(`process-aot`); \"extracted\" = `java -Djarmode=tools -jar <jar> extract`, the layout CDS and the ")
            .append("AOT cache need.\n");
        md.append("- Measured: from starting `java` to the first `200` to `POST ").append(ApacheBench.PATH)
            .append("` over mTLS as `").append(BenchmarkPki.ORDER).append("` (a new TLS connection every 5 ms until one ")
            .append("is served), then the server is stopped. ").append(results.runs())
            .append(" rounds; in each, every row runs the starter and plain back to back, alternating which goes first. ")
            .append("Medians; starter / plain is the median of the per-round ratios. One unreported warm-up start per server.\n");
        md.append("- Caches: one training run per row and server, `-Dspring.context.exit=onRefresh` with ")
            .append("`-XX:ArchiveClassesAtExit` (CDS, then `-Xshare:on -XX:SharedArchiveFile`) or `-XX:AOTCacheOutput` ")
            .append("(JDK 25, then `-XX:AOTMode=on -XX:AOTCache`): a cache that does not load fails the run. The ")
            .append("starter's training runs have no Workload API socket configured: refreshing the context connects to ")
            .append("nothing.\n\n");
        md.append("| how | starter (ms) | plain Boot TLS (ms) | starter / plain |\n| --- | ---: | ---: | ---: |\n");
        for (StartupVariant variant : results.millis().keySet()) {
            md.append("| ").append(variant.title()).append(" | ")
                .append(Math.round(results.median(variant, Peer.STARTER))).append(" | ")
                .append(Math.round(results.median(variant, Peer.PLAIN))).append(" | ")
                .append(String.format(java.util.Locale.ROOT, "%.2f", results.medianRatio(variant))).append(" |\n");
        }
        md.append("\nEvery run (ms, in order):\n\n| how | starter | plain |\n| --- | --- | --- |\n");
        for (StartupVariant variant : results.millis().keySet()) {
            md.append("| ").append(variant.key()).append(" | ").append(raw(results, variant, Peer.STARTER)).append(" | ")
                .append(raw(results, variant, Peer.PLAIN)).append(" |\n");
        }
        return md.toString();
    }

    static List<String> summary(Results results) {
        List<String> lines = new ArrayList<>();
        for (StartupVariant variant : results.millis().keySet()) {
            lines.add(String.format(java.util.Locale.ROOT, "%-28s starter %6.0f ms, plain %6.0f ms, ratio %.2f",
                    variant.key(), results.median(variant, Peer.STARTER), results.median(variant, Peer.PLAIN),
                    results.medianRatio(variant)));
        }
        return lines;
    }

    private static String raw(Results results, StartupVariant variant, Peer peer) {
        return String.join(", ", results.millis().get(variant).get(peer).stream()
            .map(ms -> String.valueOf(Math.round(ms)))
            .toList());
    }
}
