package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import io.github.spiffeboot.benchmarks.MarkdownSections;
import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestHttpResponse;

/**
 * {@code benchmarks/startup.sh}: how long the starter (sample-payment-service) and plain Spring Boot TLS
 * take from {@code java} to the first served mTLS request, on the JVM, in Spring AOT mode, with a CDS archive
 * and with the JDK 25 AOT cache. Starter and plain runs alternate, round after round; the report gives
 * medians, the median of the per-pair ratios, and every raw number. Rewrites the startup section of
 * BENCHMARKS.md. Needs the jars built with {@code -Paot} (the script does that).
 */
public final class StartupBenchmark {

    /** The peers compared: the starter and the plain Boot TLS baseline. */
    static final List<Peer> PEERS = List.of(Peer.STARTER, Peer.PLAIN);

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Path root;

    private final Path work;

    private final Path logs;

    private final Path jdk25;

    private final BenchmarkPki pki;

    private final DevWorkloadApiProcess workloadApi;

    private final SpiffeTestClient client;

    private final Map<Peer, Path> extractedJars = new EnumMap<>(Peer.class);

    private final Map<String, Path> caches = new LinkedHashMap<>();

    private int launches;

    private StartupBenchmark(Path root, Path work, Path jdk25, BenchmarkPki pki, DevWorkloadApiProcess workloadApi)
            throws IOException {
        this.root = root;
        this.work = work;
        this.logs = Files.createDirectories(work.resolve("logs"));
        this.jdk25 = jdk25;
        this.pki = pki;
        this.workloadApi = workloadApi;
        this.client = SpiffeTestClient.withSvid(pki.order(), pki.authority().bundle());
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("load.root", ".")).toAbsolutePath().normalize();
        int runs = 5;
        boolean smoke = false;
        List<StartupVariant> variants = StartupVariant.ALL;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--smoke" -> smoke = true;
                case "--variants" -> variants = StartupVariant.named(List.of(args[++i].split(",")));
                default -> {
                    System.err.println("usage: benchmarks/startup.sh [--runs N] [--variants key,key,...] [--smoke]");
                    System.exit(2);
                }
            }
        }
        if (smoke) {
            runs = 1;
        }
        Path jdk25 = Path.of(System.getProperty("startup.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Machine machine = Machine.describe(root);
        Path work = Files.createTempDirectory("spiffe-startup");
        boolean ok = false;
        try (WorkloadApiProbe probe = new WorkloadApiProbe();
                DevWorkloadApiProcess workloadApi = new DevWorkloadApiProcess(work, Files.createDirectories(work.resolve("logs")),
                        probe)) {
            BenchmarkPki pki = BenchmarkPki.create(work);
            workloadApi.start(Duration.ofHours(1));
            StartupBenchmark benchmark = new StartupBenchmark(root, work, jdk25, pki, workloadApi);
            StartupReport.Results results = benchmark.run(runs, variants);
            String command = "benchmarks/startup.sh" + (smoke ? " --smoke" : (runs != 5 ? " --runs " + runs : ""))
                    + (variants.equals(StartupVariant.ALL) ? ""
                            : " --variants " + String.join(",", variants.stream().map(StartupVariant::key).toList()));
            MarkdownSections.write(root.resolve("BENCHMARKS.md"), "startup", StartupReport.markdown(command, smoke,
                    machine, Machine.currentLoadAverage(), version(Path.of(System.getProperty("java.home"))),
                    version(jdk25), results));
            log("wrote the startup section of BENCHMARKS.md; logs in " + benchmark.logs);
            StartupReport.summary(results).forEach(StartupBenchmark::log);
            ok = true;
        }
        catch (Exception | Error ex) {
            System.err.println("STARTUP RUN FAILED: " + ex);
            ex.printStackTrace();
        }
        System.exit(ok ? 0 : 1);
    }

    private StartupReport.Results run(int runs, List<StartupVariant> variants) throws Exception {
        for (Peer peer : PEERS) {
            requireAotProcessed(peer);
            extractedJars.put(peer, extract(peer));
        }
        for (StartupVariant variant : variants) {
            if (variant.cache() != StartupVariant.Cache.NONE) {
                for (Peer peer : PEERS) {
                    train(variant, peer);
                }
            }
        }
        // Warms the client (its TLS classes) and the file cache; not reported.
        for (Peer peer : PEERS) {
            log("warm-up " + peer.key() + ": " + measure(variants.get(0), peer) + " ms");
        }
        Map<StartupVariant, Map<Peer, List<Double>>> millis = new LinkedHashMap<>();
        for (StartupVariant variant : variants) {
            millis.put(variant, new EnumMap<>(Map.of(Peer.STARTER, new ArrayList<>(), Peer.PLAIN, new ArrayList<>())));
        }
        for (int round = 1; round <= runs; round++) {
            for (int v = 0; v < variants.size(); v++) {
                StartupVariant variant = variants.get(v);
                // Alternate which peer goes first, so that neither always follows the other.
                List<Peer> order = ((round + v) % 2 == 0) ? PEERS : List.of(PEERS.get(1), PEERS.get(0));
                for (Peer peer : order) {
                    double ms = measure(variant, peer);
                    millis.get(variant).get(peer).add(ms);
                    log("round " + round + "/" + runs + " " + variant.key() + " " + peer.key() + ": " + ms + " ms");
                }
            }
        }
        return new StartupReport.Results(runs, millis);
    }

    /** Milliseconds from starting {@code java} to the first 200 answer to an mTLS charge as order-service. */
    private double measure(StartupVariant variant, Peer peer) throws IOException, InterruptedException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(java(variant));
        command.addAll(variant.runOptions(caches.get(cacheKey(variant, peer))));
        command.addAll(List.of("-jar", jar(variant, peer).toString()));
        ProcessBuilder builder = builder(command, peer, true, port, variant.key() + "-" + peer.key());
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            long deadline = started + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(peer.key() + " (" + variant.key() + ") exited with "
                            + process.exitValue() + "; see " + logs);
                }
                try {
                    TestHttpResponse response = client.post(port, ApacheBench.PATH, ApacheBench.BODY);
                    long elapsed = System.nanoTime() - started;
                    if (response.status() != 200) {
                        throw new IllegalStateException(peer.key() + " (" + variant.key() + ") answered "
                                + response.status() + ": " + response.body());
                    }
                    return Math.round(elapsed / 100_000.0) / 10.0;
                }
                catch (IOException notYet) {
                    Thread.sleep(5);
                }
            }
            throw new IllegalStateException(peer.key() + " (" + variant.key() + ") served nothing within " + TIMEOUT);
        }
        finally {
            stop(process);
        }
    }

    /**
     * The training run: refreshes the context and exits ({@code spring.context.exit=onRefresh}), leaving the
     * CDS archive or AOT cache. The starter's runs get no Workload API socket: a refresh connects to nothing.
     */
    private void train(StartupVariant variant, Peer peer) throws IOException, InterruptedException {
        Path cache = Files.createDirectories(work.resolve("caches"))
            .resolve(variant.key() + "-" + peer.key() + (variant.cache() == StartupVariant.Cache.CDS ? ".jsa" : ".aot"));
        List<String> command = new ArrayList<>();
        command.add(java(variant));
        command.addAll(variant.trainingOptions(cache));
        command.addAll(List.of("-jar", jar(variant, peer).toString()));
        Process process = builder(command, peer, false, freePort(), "training-" + variant.key() + "-" + peer.key())
            .start();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the training run " + variant.key() + " of " + peer.key() + " did not exit");
        }
        if (process.exitValue() != 0 || !Files.isRegularFile(cache)) {
            throw new IllegalStateException("the training run " + variant.key() + " of " + peer.key() + " exited with "
                    + process.exitValue() + " and left " + (Files.exists(cache) ? cache : "no cache") + "; see " + logs);
        }
        caches.put(cacheKey(variant, peer), cache);
        log("trained " + variant.key() + " for " + peer.key() + ": " + Files.size(cache) / 1024 / 1024 + " MB");
    }

    private ProcessBuilder builder(List<String> command, Peer peer, boolean withWorkloadApi, int port, String name) {
        Path log = logs.resolve(name + "-" + (++launches) + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("SPIFFE_ENDPOINT_SOCKET");
        if (peer == Peer.STARTER && withWorkloadApi) {
            builder.environment().put("SPIFFE_ENDPOINT_SOCKET", workloadApi.address());
        }
        if (peer == Peer.PLAIN) {
            builder.environment().put("BENCHMARK_PKI_DIR", pki.directory().toString());
        }
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().put("MANAGEMENT_PORT", String.valueOf(freePort()));
        builder.environment().put("GRPC_PORT", "0");
        return builder;
    }

    private String java(StartupVariant variant) {
        Path home = variant.jdk25() ? jdk25 : Path.of(System.getProperty("java.home"));
        return home.resolve("bin/java").toString();
    }

    private Path jar(StartupVariant variant, Peer peer) {
        return variant.extracted() ? extractedJars.get(peer) : peer.jar(root);
    }

    private static String cacheKey(StartupVariant variant, Peer peer) {
        return variant.key() + "/" + peer.key();
    }

    /** The jar must hold the code Spring AOT generated, or AOT mode would fail to start. */
    private void requireAotProcessed(Peer peer) throws IOException {
        Path jar = peer.jar(root);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("missing " + jar + ": build with benchmarks/startup.sh");
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (zip.stream().noneMatch(entry -> entry.getName().endsWith("__ApplicationContextInitializer.class"))) {
                throw new IllegalStateException(jar + " holds no AOT-generated code: build it with -Paot");
            }
        }
    }

    /** {@code java -Djarmode=tools -jar <jar> extract}: the layout CDS and the AOT cache need. */
    private Path extract(Peer peer) throws IOException, InterruptedException {
        Path destination = work.resolve("extracted").resolve(peer.key());
        Path jar = peer.jar(root);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", destination.toString())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("extract-" + peer.key() + ".log").toFile())
            .start();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("cannot extract " + jar + "; see " + logs);
        }
        return destination.resolve(jar.getFileName());
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static String version(Path javaHome) {
        try {
            Process process = new ProcessBuilder(javaHome.resolve("bin/java").toString(), "-version")
                .redirectErrorStream(true)
                .start();
            String output = new String(process.getInputStream().readAllBytes()).trim();
            process.waitFor(30, TimeUnit.SECONDS);
            return String.join("; ", output.lines().toList());
        }
        catch (IOException | InterruptedException ex) {
            return "unknown (" + ex + ")";
        }
    }

    static void log(String message) {
        System.out.println("[startup] " + message);
    }
}
