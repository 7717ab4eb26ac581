package io.github.spiffeboot.benchmarks.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.github.spiffeboot.benchmarks.MarkdownSections;

/**
 * {@code benchmarks/load.sh}: the load comparison of the starter with plain Spring Boot TLS and with Spring
 * Security's x509(), or ({@code --soak}) the soak of the starter. Starts everything it measures as separate
 * processes in a fresh working directory (certificates, sockets, logs, every ab output), stops them at the
 * end, on failure and on Ctrl-C, and rewrites its own section of BENCHMARKS.md.
 * <p>
 * Exit status: 0 when the run is valid (comparison) or passes (soak), 1 otherwise, 2 for a bad command line.
 */
public final class LoadBenchmark {

    private final List<AutoCloseable> running = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(LoadOptions.USAGE);
            return;
        }
        Path root = Path.of(System.getProperty("load.root", ".")).toAbsolutePath().normalize();
        LoadOptions options;
        try {
            options = LoadOptions.parse(root, args);
        }
        catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        String command = String.join(" ", commandLine(args));
        LoadBenchmark benchmark = new LoadBenchmark();
        Runtime.getRuntime().addShutdownHook(new Thread(benchmark::stopAll, "load-benchmark-cleanup"));
        boolean ok = false;
        try {
            ok = options.soak() ? benchmark.soak(options, command)
                    : options.grpc() ? benchmark.compareGrpc(options, command) : benchmark.compare(options, command);
        }
        catch (Exception | Error ex) {
            System.err.println((options.soak() ? "SOAK FAILED" : "LOAD RUN FAILED") + ": " + ex);
            ex.printStackTrace();
        }
        finally {
            benchmark.stopAll();
        }
        // Exit explicitly: a failure may leave non-daemon threads (an HTTP client, an event loop) behind.
        System.exit(ok ? 0 : 1);
    }

    private boolean compare(LoadOptions options, String command) throws Exception {
        Machine machine = Machine.describe(options.root());
        Path work = Files.createTempDirectory("spiffe-load");
        Setup setup = setUp(options, work, options.measurementTtl());
        Map<Peer, ServerProcess> servers = new EnumMap<>(Peer.class);
        for (Peer peer : options.peers()) {
            LoadComparison.log("starting " + peer.title());
            servers.put(peer, started(setup.launcher().start(peer)));
        }
        LoadComparison.Results results = new LoadComparison(options, setup.pki(), setup.ab()).run(servers);
        MarkdownSections.write(options.output(), options.section(),
                LoadReport.markdown(options, command, machine, Machine.currentLoadAverage(), results));
        LoadComparison.log("wrote the " + options.section() + " section of " + options.output() + "; logs and every ab output in " + work);
        LoadReport.summary(results).forEach(LoadComparison::log);
        if (!results.problems().isEmpty()) {
            System.err.println("LOAD RUN NOT VALID:");
            results.problems().forEach(problem -> System.err.println("  " + problem));
            return false;
        }
        return true;
    }

    private boolean compareGrpc(LoadOptions options, String command) throws Exception {
        Machine machine = Machine.describe(options.root());
        Path work = Files.createTempDirectory("spiffe-load-grpc");
        Setup setup = setUp(options, work, options.measurementTtl());
        Map<Peer, ServerProcess> servers = new EnumMap<>(Peer.class);
        Map<Peer, Integer> grpcPorts = new EnumMap<>(Peer.class);
        for (Peer peer : options.peers()) {
            LoadComparison.log("starting " + peer.title());
            int grpcPort = ServerLauncher.freePort();
            grpcPorts.put(peer, grpcPort);
            servers.put(peer, started(setup.launcher().start(peer, Map.of("GRPC_PORT", String.valueOf(grpcPort)))));
        }
        GrpcComparison.Results results = new GrpcComparison(options, new GrpcDriver(setup.pki())).run(servers, grpcPorts);
        MarkdownSections.write(options.output(), options.section(),
                GrpcReport.markdown(options, command, machine, Machine.currentLoadAverage(), results));
        LoadComparison.log("wrote the " + options.section() + " section of " + options.output() + "; logs in " + work);
        LoadComparison.log(GrpcReport.summary(options, results));
        if (!results.problems().isEmpty()) {
            System.err.println("LOAD RUN NOT VALID:");
            results.problems().forEach(problem -> System.err.println("  " + problem));
            return false;
        }
        return true;
    }

    private boolean soak(LoadOptions options, String command) throws Exception {
        Machine machine = Machine.describe(options.root());
        Path work = Files.createTempDirectory("spiffe-soak");
        // The soak's first phase is the restart one: start with its SVID lifetime.
        Setup setup = setUp(options, work, options.restartTtl());
        System.out.println("[soak] starting " + Peer.STARTER.title());
        ServerProcess starter = started(setup.launcher().start(Peer.STARTER));
        Soak.Results results = new Soak(options, setup.pki(), setup.ab(), setup.workloadApi(), setup.probe()).run(starter);
        List<SoakVerdict.Check> checks = SoakVerdict.checks(results, options);
        MarkdownSections.write(options.output(), "soak",
                SoakReport.markdown(options, command, machine, Machine.currentLoadAverage(), results, checks));
        System.out.println("[soak] wrote the soak section of " + options.output() + "; logs and every ab output in " + work);
        for (SoakVerdict.Check check : checks) {
            System.out.println("[soak] " + (check.passed() ? "pass " : "FAIL ") + check.name() + ": " + check.measured()
                    + " (bound: " + check.bound() + ")");
        }
        if (!SoakVerdict.passed(checks)) {
            System.err.println("SOAK FAILED: " + String.join(", ",
                    checks.stream().filter(check -> !check.passed()).map(SoakVerdict.Check::name).toList()));
            return false;
        }
        System.out.println("[soak] PASSED");
        return true;
    }

    private record Setup(BenchmarkPki pki, ApacheBench ab, WorkloadApiProbe probe, DevWorkloadApiProcess workloadApi,
            ServerLauncher launcher) {
    }

    private Setup setUp(LoadOptions options, Path work, java.time.Duration svidTtl) throws Exception {
        Path logs = Files.createDirectories(work.resolve("logs"));
        CpuPinning pinning = options.pinning();
        // The harness first, so that the Workload API it starts inherits the driver's CPU.
        pinning.pinHarness();
        BenchmarkPki pki = BenchmarkPki.create(work);
        ApacheBench ab = new ApacheBench(pki.abClientFile(BenchmarkPki.ORDER_CLIENT), work, logs, pinning.driver());
        WorkloadApiProbe probe = started(new WorkloadApiProbe());
        DevWorkloadApiProcess workloadApi = started(new DevWorkloadApiProcess(work, logs, probe));
        workloadApi.start(svidTtl);
        return new Setup(pki, ab, probe, workloadApi,
                new ServerLauncher(options.root(), options.jvmFlags(), pki, workloadApi, logs, pinning));
    }

    private <T extends AutoCloseable> T started(T resource) {
        running.add(resource);
        return resource;
    }

    /** Stops what this run started, servers first, newest first. */
    private void stopAll() {
        List<AutoCloseable> resources;
        synchronized (running) {
            resources = new ArrayList<>(running);
            running.clear();
        }
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            }
            catch (Exception ex) {
                System.err.println("cannot stop " + resource + ": " + ex);
            }
        }
    }

    private static List<String> commandLine(String[] args) {
        List<String> parts = new ArrayList<>(List.of("benchmarks/load.sh"));
        for (String arg : args) {
            parts.add(arg.contains(" ") ? "\"" + arg + "\"" : arg);
        }
        return parts;
    }
}
