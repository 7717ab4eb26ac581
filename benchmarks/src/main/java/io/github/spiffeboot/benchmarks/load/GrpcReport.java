package io.github.spiffeboot.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import io.github.spiffeboot.benchmarks.load.GrpcComparison.Measurement;
import io.github.spiffeboot.benchmarks.load.GrpcComparison.Results;
import io.github.spiffeboot.benchmarks.load.GrpcComparison.Round;

/** The gRPC comparison's section of BENCHMARKS.md: how it was run, the medians, and every raw number. */
final class GrpcReport {

    private static final ToDoubleFunction<Measurement> RATE = Measurement::callsPerSecond;

    private static final ToDoubleFunction<Measurement> CPU = Measurement::cpuMicrosPerCall;

    private GrpcReport() {
    }

    static String markdown(LoadOptions options, String command, Machine machine, String loadAverageAtEnd,
            Results results) {
        StringBuilder md = new StringBuilder();
        md.append("## Load: gRPC unary calls, the starter against plain Boot gRPC TLS\n\n");
        if (options.smoke()) {
            md.append("> **SMOKE RUN, not the final numbers.** Short rounds on a shared machine: this proves the harness ")
                .append("end to end. The full run is `benchmarks/load.sh --grpc`.\n\n");
        }
        md.append(machine.runLines(command, loadAverageAtEnd));
        md.append("- Servers: one JVM each, `java ").append(String.join(" ", options.jvmFlags())).append(" -jar <jar>`:");
        for (Peer peer : options.peers()) {
            md.append(" ").append(peer.key()).append(" = `").append(peer.jar()).append("`")
                .append(peer.usesStarter() ? " (its gRPC API on Boot's gRPC server with the `spiffe` bundle; every call "
                        + "authenticated and authorized by `spiffe.authz`; SVID from the development Workload API, lifetime "
                        + options.measurementTtl() + ")" : " (Boot's gRPC server, PEM `SslBundle`, `client-auth: require`, "
                        + "no Spring Security)")
                .append(";");
        }
        md.append(" both serve `payments.v1.Payments` from `sample-payments-api` on grpc-netty-shaded, with Tomcat and ")
            .append("Actuator on a plain-HTTP management port beside it.\n");
        md.append("- Driver: in-process Java (`GrpcDriver`), ").append(options.concurrency()).append(" threads each ")
            .append("blocking on one unary `Charge` call at a time as `").append(BenchmarkPki.ORDER).append("`, over ")
            .append(GrpcDriver.CONNECTIONS).append(" HTTP/2 connections opened (and handshaken) before the clock starts; ")
            .append("first answers: ");
        List<String> samples = new ArrayList<>();
        for (Peer peer : options.peers()) {
            samples.add(peer.key() + " " + results.warmups().get(peer).calls().sample());
        }
        md.append(String.join(", ", samples)).append(".\n");
        md.append("- Warm-up per server: ").append(options.keepAliveRound().multipliedBy(3).toSeconds())
            .append(" s of the same load. Rounds: ").append(options.rounds()).append(", each server once per round, ")
            .append("the order reversed every other round, ").append(options.keepAliveRound().toSeconds())
            .append(" s per server and round.\n");
        md.append("- Server CPU per call: user + system time of the server process (`/proc/<pid>/stat`, all threads) ")
            .append("over each run, divided by the calls answered. The driver shares the machine's cores with the server.\n\n");

        md.append("### Median of the per-round ratios\n\n");
        md.append("| ratio | calls/s | server CPU per call |\n| --- | ---: | ---: |\n");
        Peer[] ratio = { options.peers().get(1), options.peers().get(0) };
        md.append(String.format("| %s / %s | %.2f | %.2f |%n", ratio[0].key(), ratio[1].key(),
                median(results.rounds(), ratio, RATE), median(results.rounds(), ratio, CPU)));

        md.append("\n### Every round\n\n");
        md.append("| round | server | calls | seconds | calls/s | server CPU µs/call | failed |\n");
        md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Round round : results.rounds()) {
            for (Peer peer : round.order()) {
                Measurement measurement = round.measurements().get(peer);
                md.append(String.format("| %d | %s | %d | %.2f | %.1f | %.1f | %d |%n", round.number(), peer.key(),
                        measurement.calls().calls(), measurement.calls().seconds(), measurement.callsPerSecond(),
                        measurement.cpuMicrosPerCall(), measurement.calls().failures()));
            }
        }
        md.append("\n| round | calls/s ").append(ratio[0].key()).append('/').append(ratio[1].key())
            .append(" | CPU/call ").append(ratio[0].key()).append('/').append(ratio[1].key()).append(" |\n");
        md.append("| ---: | ---: | ---: |\n");
        for (Round round : results.rounds()) {
            md.append(String.format("| %d | %.3f | %.3f |%n", round.number(), round.ratio(ratio[0], ratio[1], RATE),
                    round.ratio(ratio[0], ratio[1], CPU)));
        }

        md.append("\n### The servers after their measurements\n\n");
        md.append("| server | pid | heap after GC (MiB) | threads | open fds |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (Peer peer : options.peers()) {
            LoadComparison.After after = results.after().get(peer);
            md.append(String.format("| %s | %d | %.1f | %d | %d |%n", peer.key(), results.pids().get(peer),
                    after.heapAfterGc() / 1048576.0, after.threads(), after.fileDescriptors()));
        }

        md.append("\n### Validity\n\n");
        if (results.problems().isEmpty()) {
            md.append("Every call of every run, warm-ups included, was answered OK.\n");
        }
        else {
            md.append("**This run is not valid:**\n\n");
            results.problems().forEach(problem -> md.append("- ").append(problem).append('\n'));
        }
        return md.toString();
    }

    static double median(List<Round> rounds, Peer[] ratio, ToDoubleFunction<Measurement> metric) {
        List<Double> values = new ArrayList<>();
        for (Round round : rounds) {
            values.add(round.ratio(ratio[0], ratio[1], metric));
        }
        return Statistics.median(values);
    }

    /** The medians in one line, for the console. */
    static String summary(LoadOptions options, Results results) {
        Peer[] ratio = { options.peers().get(1), options.peers().get(0) };
        return String.format("gRPC %s/%s: calls/s %.2f, CPU/call %.2f", ratio[0].key(), ratio[1].key(),
                median(results.rounds(), ratio, RATE), median(results.rounds(), ratio, CPU));
    }
}
