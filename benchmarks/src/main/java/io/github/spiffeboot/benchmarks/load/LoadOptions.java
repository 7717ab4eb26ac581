package io.github.spiffeboot.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one run of {@code benchmarks/load.sh} does, from its command line. The defaults are the full run's;
 * {@code --smoke} sets short values (and labels the results as a smoke run) that explicit options still
 * override, whatever their order.
 *
 * @param root the checkout, where the jars are and BENCHMARKS.md is
 * @param output the Markdown file whose load or soak section is rewritten
 * @param soak the soak instead of the comparison
 * @param smoke a short run to prove the harness, labelled as such in the results
 * @param rounds alternating rounds per mode
 * @param keepAliveRound how long each server is loaded per keep-alive round
 * @param newConnectionRound how long each server is loaded per new-connection round
 * @param concurrency concurrent requests (in the soak, split between keep-alive and new connections)
 * @param warmupKeepAlive keep-alive requests per server before measuring
 * @param warmupNewConnections new-connection requests per server after those
 * @param jvmFlags the flags of every server JVM
 * @param measurementTtl the starter's SVID lifetime during the comparison
 * @param soakDuration the length of each soak phase (restart, then rotation)
 * @param sampleEvery how often the soak samples heap, threads, descriptors and sessions
 * @param certificateSampleEvery how often the soak reads the served and the issued certificate
 * @param rotationTtl the SVID lifetime in the rotation phase (rotated at half of it)
 * @param restartTtl the SVID lifetime in the restart phase
 * @param restartDowntime how long the Workload API stays down in the restart phase
 * @param engines compare TLS engines and WebFlux (plain Boot on Tomcat and on Reactor Netty, the starter on
 * Reactor Netty with the JDK's TLS and with BoringSSL) instead of the default peers
 * @param grpc compare gRPC unary calls (the starter's gRPC API against plain Boot gRPC TLS) instead
 * @param pin run each server on one CPU and the load driver on another ({@link CpuPinning})
 */
record LoadOptions(Path root, Path output, boolean soak, boolean smoke, int rounds, Duration keepAliveRound,
        Duration newConnectionRound, int concurrency, int warmupKeepAlive, int warmupNewConnections,
        List<String> jvmFlags, Duration measurementTtl, Duration soakDuration, Duration sampleEvery,
        Duration certificateSampleEvery, Duration rotationTtl, Duration restartTtl, Duration restartDowntime,
        boolean engines, boolean grpc, boolean pin) {

    /** The peers compared, in the order of odd rounds (even rounds run it reversed). */
    List<Peer> peers() {
        return grpc ? Peer.GRPC_ORDER : engines ? Peer.ENGINE_ORDER : Peer.ROUND_ORDER;
    }

    /** The section of the output file this run rewrites (a pinned run has its own, next to the unpinned one). */
    String section() {
        return (grpc ? "load-grpc" : engines ? "load-engines" : "load") + (pin ? "-pinned" : "");
    }

    CpuPinning pinning() {
        return CpuPinning.of(pin);
    }

    static final String USAGE = """
            usage: benchmarks/load.sh [--smoke] [--soak] [options]
              (default)                   compare the starter with plain Boot TLS and with Spring Security x509()
              --soak                      soak the starter under load: a Workload API restart, then SVID rotation
              --engines                   compare TLS engines and WebFlux instead: plain Boot on Tomcat and on
                                          WebFlux, the starter on WebFlux with the JDK's TLS and with BoringSSL
              --grpc                      compare gRPC unary calls instead: the starter's gRPC API (sample-payment-
                                          service) against plain Boot gRPC TLS (rounds of --keepalive-round)
              --pin                       servers on CPU 1 only, ab and the Workload API on CPU 0 (taskset): the
                                          server's handshake capacity, not the shared machine's (own section)
              --smoke                     short values for a quick check; results labelled SMOKE RUN
              --rounds N                  alternating rounds per mode (5; smoke 2)
              --keepalive-round T         per server and round, keep-alive (20s; smoke 5s)
              --new-connection-round T    per server and round, new connection per request (20s; smoke 5s)
              --concurrency N             concurrent requests (16)
              --warmup-keepalive N        keep-alive requests per server before measuring (150000; smoke 10000)
              --warmup-new-connections N  then new-connection requests per server (3000; smoke 300)
              --jvm-flags "FLAGS"         flags of every server JVM ("-Xms512m -Xmx512m -XX:+UseG1GC")
              --measurement-ttl T         starter's SVID lifetime while comparing (1h)
              --duration T                soak: length of each phase (10m; smoke 1m)
              --sample-every T            soak: heap/threads/fds/sessions sample interval (30s; smoke 15s)
              --certificate-sample-every T soak: served and issued certificate sample interval (1s)
              --ttl T                     soak: SVID lifetime in the rotation phase (6s)
              --restart-ttl T             soak: SVID lifetime in the restart phase (2m)
              --restart-downtime T        soak: how long the Workload API stays down (1s)
              --output FILE               Markdown file to update (BENCHMARKS.md in the checkout)
            Times: 90s, 10m, 1h or ISO-8601 (PT90S).""";

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    static LoadOptions parse(Path root, String... args) {
        List<String> list = Arrays.asList(args);
        boolean smoke = list.contains("--smoke");
        boolean soak = list.contains("--soak");
        Builder options = new Builder(root, smoke, soak);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--engines" -> options.engines = true;
                case "--grpc" -> options.grpc = true;
                case "--pin" -> options.pin = true;
                case "--smoke", "--soak" -> {
                    // read above: they only set defaults and the mode
                }
                case "--rounds" -> options.rounds = positive(arg, Integer.parseInt(value(args, ++i, arg)));
                case "--keepalive-round" -> options.keepAliveRound = duration(arg, value(args, ++i, arg));
                case "--new-connection-round" -> options.newConnectionRound = duration(arg, value(args, ++i, arg));
                case "--concurrency" -> options.concurrency = positive(arg, Integer.parseInt(value(args, ++i, arg)));
                case "--warmup-keepalive" -> options.warmupKeepAlive = positive(arg, Integer.parseInt(value(args, ++i, arg)));
                case "--warmup-new-connections" ->
                    options.warmupNewConnections = positive(arg, Integer.parseInt(value(args, ++i, arg)));
                case "--jvm-flags" -> options.jvmFlags = List.of(value(args, ++i, arg).trim().split("\\s+"));
                case "--measurement-ttl" -> options.measurementTtl = duration(arg, value(args, ++i, arg));
                case "--duration" -> options.soakDuration = duration(arg, value(args, ++i, arg));
                case "--sample-every" -> options.sampleEvery = duration(arg, value(args, ++i, arg));
                case "--certificate-sample-every" -> options.certificateSampleEvery = duration(arg, value(args, ++i, arg));
                case "--ttl" -> options.rotationTtl = duration(arg, value(args, ++i, arg));
                case "--restart-ttl" -> options.restartTtl = duration(arg, value(args, ++i, arg));
                case "--restart-downtime" -> options.restartDowntime = duration(arg, value(args, ++i, arg));
                case "--output" -> options.output = root.resolve(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        return options.build();
    }

    static Duration duration(String option, String text) {
        Matcher matcher = SHORT_DURATION.matcher(text);
        Duration duration;
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            duration = switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        else {
            try {
                duration = Duration.parse(text);
            }
            catch (RuntimeException ex) {
                throw new IllegalArgumentException(option + ": '" + text + "' is not a time (90s, 10m, 1h, PT90S)");
            }
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(option + " must be positive, not " + text);
        }
        return duration;
    }

    private static int positive(String option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be positive, not " + value);
        }
        return value;
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[index];
    }

    private static final class Builder {

        final Path root;

        final boolean smoke;

        final boolean soak;

        Path output;

        int rounds;

        Duration keepAliveRound;

        Duration newConnectionRound;

        int concurrency = 16;

        int warmupKeepAlive;

        int warmupNewConnections;

        List<String> jvmFlags = List.of("-Xms512m", "-Xmx512m", "-XX:+UseG1GC");

        Duration measurementTtl = Duration.ofHours(1);

        Duration soakDuration;

        Duration sampleEvery;

        Duration certificateSampleEvery = Duration.ofSeconds(1);

        Duration rotationTtl = Duration.ofSeconds(6);

        Duration restartTtl = Duration.ofMinutes(2);

        Duration restartDowntime = Duration.ofSeconds(1);

        boolean engines;

        boolean grpc;

        boolean pin;

        Builder(Path root, boolean smoke, boolean soak) {
            this.root = root;
            this.smoke = smoke;
            this.soak = soak;
            this.output = root.resolve("BENCHMARKS.md");
            this.rounds = smoke ? 2 : 5;
            this.keepAliveRound = Duration.ofSeconds(smoke ? 5 : 20);
            this.newConnectionRound = Duration.ofSeconds(smoke ? 5 : 20);
            this.warmupKeepAlive = smoke ? 10_000 : 150_000;
            this.warmupNewConnections = smoke ? 300 : 3_000;
            this.soakDuration = smoke ? Duration.ofMinutes(1) : Duration.ofMinutes(10);
            this.sampleEvery = Duration.ofSeconds(smoke ? 15 : 30);
        }

        LoadOptions build() {
            if (engines && grpc || soak && (engines || grpc)) {
                throw new IllegalArgumentException("--soak, --engines and --grpc are separate runs: choose one");
            }
            if (pin && (soak || grpc)) {
                throw new IllegalArgumentException("--pin is for the comparison and --engines (the soak and the "
                        + "gRPC driver run inside the harness)");
            }
            if (concurrency < 2 && soak) {
                throw new IllegalArgumentException("--concurrency must be at least 2 for the soak (keep-alive and new connections)");
            }
            return new LoadOptions(root, output, soak, smoke, rounds, keepAliveRound, newConnectionRound, concurrency,
                    warmupKeepAlive, warmupNewConnections, jvmFlags, measurementTtl, soakDuration, sampleEvery,
                    certificateSampleEvery, rotationTtl, restartTtl, restartDowntime, engines, grpc, pin);
        }
    }
}
