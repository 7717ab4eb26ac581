package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The gRPC comparison: the starter's gRPC API (sample-payment-service on Boot's gRPC server) against plain
 * Boot gRPC TLS, each warmed up, then loaded in alternating rounds (A B, B A, ...) with unary calls over a few
 * multiplexed connections; the report takes the median of the per-round ratios.
 */
final class GrpcComparison {

    /** One server's share of a round: what the driver saw, and the server's CPU time over it. */
    record Measurement(GrpcDriver.Result calls, long cpuTicks) {

        double callsPerSecond() {
            return calls.callsPerSecond();
        }

        double cpuMicrosPerCall() {
            return (calls.calls() == 0) ? Double.NaN
                    : cpuTicks * 1_000_000.0 / JvmProbe.CLOCK_TICKS_PER_SECOND / calls.calls();
        }
    }

    record Round(int number, List<Peer> order, Map<Peer, Measurement> measurements) {

        double ratio(Peer numerator, Peer denominator, ToDoubleFunction<Measurement> metric) {
            return metric.applyAsDouble(measurements.get(numerator)) / metric.applyAsDouble(measurements.get(denominator));
        }
    }

    record Results(Map<Peer, Measurement> warmups, List<Round> rounds, Map<Peer, LoadComparison.After> after,
            Map<Peer, Long> pids, List<String> problems) {
    }

    private final LoadOptions options;

    private final GrpcDriver driver;

    GrpcComparison(LoadOptions options, GrpcDriver driver) {
        this.options = options;
        this.driver = driver;
    }

    /** @param grpcPorts where each server's gRPC API listens */
    Results run(Map<Peer, ServerProcess> servers, Map<Peer, Integer> grpcPorts) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        Map<Peer, Measurement> warmups = new EnumMap<>(Peer.class);
        Map<Peer, Long> pids = new EnumMap<>(Peer.class);
        for (Peer peer : options.peers()) {
            pids.put(peer, servers.get(peer).pid());
            LoadComparison.log("warming up " + peer.title() + " for " + options.keepAliveRound().multipliedBy(3).toSeconds() + " s");
            Measurement warmup = measure(servers.get(peer), grpcPorts.get(peer), options.keepAliveRound().multipliedBy(3));
            warmups.put(peer, warmup);
            check(problems, peer, "warm-up", warmup);
        }
        List<Round> rounds = new ArrayList<>();
        for (int number = 1; number <= options.rounds(); number++) {
            List<Peer> order = new ArrayList<>(options.peers());
            if (number % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            Map<Peer, Measurement> measurements = new EnumMap<>(Peer.class);
            for (Peer peer : order) {
                Measurement measurement = measure(servers.get(peer), grpcPorts.get(peer), options.keepAliveRound());
                measurements.put(peer, measurement);
                check(problems, peer, "round " + number, measurement);
                LoadComparison.log(String.format("gRPC round %d %-10s %9.1f calls/s %8.1f us CPU/call  (%d calls, %d failed)",
                        number, peer.key(), measurement.callsPerSecond(), measurement.cpuMicrosPerCall(),
                        measurement.calls().calls(), measurement.calls().failures()));
            }
            rounds.add(new Round(number, order, measurements));
        }
        Map<Peer, LoadComparison.After> after = new EnumMap<>(Peer.class);
        for (Peer peer : options.peers()) {
            JvmProbe probe = servers.get(peer).probe();
            after.put(peer, new LoadComparison.After(probe.heapAfterGc(), JvmProbe.Sessions.NOT_APPLICABLE,
                    probe.threads(), probe.fileDescriptors()));
        }
        return new Results(warmups, rounds, after, pids, problems);
    }

    private Measurement measure(ServerProcess server, int grpcPort, java.time.Duration length)
            throws IOException, InterruptedException {
        long before = server.probe().cpuTicks();
        GrpcDriver.Result result = driver.run(grpcPort, options.concurrency(), length);
        long after = server.probe().cpuTicks();
        if (!server.isAlive()) {
            throw new IllegalStateException(server.name() + " died:\n" + server.tail());
        }
        return new Measurement(result, after - before);
    }

    /** A run counts only if every call succeeded. */
    private static void check(List<String> problems, Peer peer, String what, Measurement measurement) {
        if (measurement.calls().failures() > 0) {
            problems.add(peer.key() + " " + what + ": " + measurement.calls().failures() + " of "
                    + (measurement.calls().calls() + measurement.calls().failures()) + " calls failed, first: "
                    + measurement.calls().firstFailure());
        }
    }
}
