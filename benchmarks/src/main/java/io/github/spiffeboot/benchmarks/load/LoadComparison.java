package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The comparison: the peers, each warmed up, then loaded in alternating rounds (A B C D, D C B A, ...) per
 * mode, so that drift of a shared machine hits every peer alike; each round yields ratios of the peers
 * measured minutes apart at most, and the report takes the median of those ratios.
 */
final class LoadComparison {

    /** How requests reach the server. */
    enum Mode {

        KEEP_ALIVE("keep-alive", true),

        NEW_CONNECTION("new connection per request", false);

        final String title;

        final boolean keepAlive;

        Mode(String title, boolean keepAlive) {
            this.title = title;
            this.keepAlive = keepAlive;
        }
    }

    /**
     * One server's share of a round.
     *
     * @param ab what ab reported
     * @param cpuTicks the server's CPU time over the run (user + system, all threads)
     */
    record Measurement(AbResult ab, long cpuTicks) {

        double cpuMicrosPerRequest() {
            return (ab.complete() == 0) ? Double.NaN
                    : cpuTicks * 1_000_000.0 / JvmProbe.CLOCK_TICKS_PER_SECOND / ab.complete();
        }
    }

    /** One round: each peer once, in {@code order}. */
    record Round(Mode mode, int number, List<Peer> order, Map<Peer, Measurement> measurements) {

        double ratio(Peer numerator, Peer denominator, ToDoubleFunction<Measurement> metric) {
            return metric.applyAsDouble(measurements.get(numerator)) / metric.applyAsDouble(measurements.get(denominator));
        }
    }

    /**
     * A server's state after its measurements.
     *
     * @param heapAfterGc bytes used after a full GC
     * @param sessions Tomcat's HTTP sessions
     * @param threads the JVM's threads
     * @param fileDescriptors open descriptors
     */
    record After(long heapAfterGc, JvmProbe.Sessions sessions, int threads, int fileDescriptors) {
    }

    /** Everything the report shows; {@code problems} make the run invalid. */
    record Results(Map<Peer, List<Measurement>> warmups, List<Round> rounds, Map<Peer, After> after,
            Map<Peer, List<CookieProbe.Result>> probes, Map<Peer, Long> pids, List<String> problems) {
    }

    private final LoadOptions options;

    private final BenchmarkPki pki;

    private final ApacheBench ab;

    LoadComparison(LoadOptions options, BenchmarkPki pki, ApacheBench ab) {
        this.options = options;
        this.pki = pki;
        this.ab = ab;
    }

    Results run(Map<Peer, ServerProcess> servers) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        Map<Peer, List<Measurement>> warmups = new EnumMap<>(Peer.class);
        Map<Peer, Long> pids = new EnumMap<>(Peer.class);
        for (Peer peer : options.peers()) {
            pids.put(peer, servers.get(peer).pid());
            log("warming up " + peer.title() + ": " + options.warmupKeepAlive() + " keep-alive requests, then "
                    + options.warmupNewConnections() + " on new connections");
            List<Measurement> warmup = warmUp(ab, servers.get(peer), options);
            warmups.put(peer, warmup);
            warmup.forEach(measurement -> check(problems, peer, "warm-up", measurement, null));
        }
        List<Round> rounds = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            Duration length = mode.keepAlive ? options.keepAliveRound() : options.newConnectionRound();
            for (int number = 1; number <= options.rounds(); number++) {
                // A B C, then C B A: every peer runs as often early as late in a pair of rounds.
                List<Peer> order = (number % 2 == 1) ? options.peers() : reversed(options.peers());
                Map<Peer, Measurement> measurements = new EnumMap<>(Peer.class);
                for (Peer peer : order) {
                    Measurement measurement = measure(ab, servers.get(peer), peer.key() + "-" + mode.name().toLowerCase()
                            + "-round" + number, options.concurrency(), mode.keepAlive, length, 0);
                    measurements.put(peer, measurement);
                    check(problems, peer, mode.title + " round " + number, measurement, mode);
                    log(String.format("%s round %d %-8s %9.1f req/s %8.1f us CPU/request  (%d requests, %d unsuccessful)",
                            mode.title, number, peer.key(), measurement.ab().requestsPerSecond(),
                            measurement.cpuMicrosPerRequest(), measurement.ab().complete(), measurement.ab().unsuccessful()));
                }
                rounds.add(new Round(mode, number, order, measurements));
            }
        }
        Map<Peer, After> after = new EnumMap<>(Peer.class);
        Map<Peer, List<CookieProbe.Result>> probes = new EnumMap<>(Peer.class);
        for (Peer peer : options.peers()) {
            JvmProbe probe = servers.get(peer).probe();
            // Sessions first: the probes below may create some of their own.
            JvmProbe.Sessions sessions = peer.servesOnTomcat() ? probe.sessions() : JvmProbe.Sessions.NOT_APPLICABLE;
            after.put(peer, new After(probe.heapAfterGc(), sessions, probe.threads(), probe.fileDescriptors()));
            probes.put(peer, probe(servers.get(peer).port()));
        }
        return new Results(warmups, rounds, after, probes, pids, problems);
    }

    private static List<Peer> reversed(List<Peer> peers) {
        List<Peer> reversed = new ArrayList<>(peers);
        java.util.Collections.reverse(reversed);
        return reversed;
    }

    /** Keep-alive requests until the JIT settles, then a few thousand handshakes. */
    static List<Measurement> warmUp(ApacheBench ab, ServerProcess server, LoadOptions options)
            throws IOException, InterruptedException {
        return List.of(
                measure(ab, server, server.name() + "-warmup-keepalive", options.concurrency(), true, null,
                        options.warmupKeepAlive()),
                measure(ab, server, server.name() + "-warmup-new-connection", options.concurrency(), false, null,
                        options.warmupNewConnections()));
    }

    static Measurement measure(ApacheBench ab, ServerProcess server, String label, int concurrency, boolean keepAlive,
            Duration time, int requests) throws IOException, InterruptedException {
        long before = server.probe().cpuTicks();
        AbResult result = ab.run(label, server.port(), concurrency, keepAlive, time, requests);
        long after = server.probe().cpuTicks();
        if (!server.isAlive()) {
            throw new IllegalStateException(server.name() + " died during " + label + ":\n" + server.tail());
        }
        return new Measurement(result, after - before);
    }

    /** The same four requests against every server: allowed, caller not allowed, no such endpoint, no SPIFFE ID. */
    private List<CookieProbe.Result> probe(int port) throws IOException, InterruptedException {
        Path body = ab.body();
        return List.of(
                CookieProbe.probe(port, "POST", ApacheBench.PATH, BenchmarkPki.ORDER_CLIENT,
                        pki.certificate(BenchmarkPki.ORDER_CLIENT), pki.key(BenchmarkPki.ORDER_CLIENT), body),
                CookieProbe.probe(port, "POST", ApacheBench.PATH, BenchmarkPki.STOREFRONT_CLIENT,
                        pki.certificate(BenchmarkPki.STOREFRONT_CLIENT), pki.key(BenchmarkPki.STOREFRONT_CLIENT), body),
                CookieProbe.probe(port, "GET", "/api/no-such-endpoint", BenchmarkPki.ORDER_CLIENT,
                        pki.certificate(BenchmarkPki.ORDER_CLIENT), pki.key(BenchmarkPki.ORDER_CLIENT), null),
                CookieProbe.probe(port, "POST", ApacheBench.PATH, BenchmarkPki.NO_SPIFFE_ID_CLIENT,
                        pki.certificate(BenchmarkPki.NO_SPIFFE_ID_CLIENT), pki.key(BenchmarkPki.NO_SPIFFE_ID_CLIENT), body));
    }

    /** A run counts only if every request succeeded and keep-alive really kept (or did not keep) connections. */
    static void check(List<String> problems, Peer peer, String what, Measurement measurement, Mode mode) {
        AbResult result = measurement.ab();
        if (result.unsuccessful() > 0) {
            problems.add(peer.key() + " " + what + ": " + result.failed() + " failed and " + result.non2xx()
                    + " non-2xx of " + result.complete() + " requests");
        }
        if (mode == Mode.KEEP_ALIVE && result.keepAliveRequests() < 0.99 * result.complete()) {
            problems.add(peer.key() + " " + what + ": only " + result.keepAliveRequests() + " of " + result.complete()
                    + " requests reused a connection");
        }
        if (mode == Mode.NEW_CONNECTION && result.keepAliveRequests() > 0) {
            problems.add(peer.key() + " " + what + ": " + result.keepAliveRequests() + " requests reused a connection");
        }
    }

    static void log(String message) {
        System.out.println("[load] " + message);
    }
}
