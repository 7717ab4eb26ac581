package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestHttpConnection;

/**
 * The soak of the starter: keep-alive and new-connection load at once (half the concurrency each), first
 * while the Workload API is restarted mid-load, then while it rotates the SVID every few seconds. Load runs
 * in chunks of one sample interval; between chunks the server's heap after GC, threads, descriptors and HTTP
 * sessions are sampled, so every sample is taken at the same quiet point. The served certificate is watched
 * all along.
 */
final class Soak {

    static final String AFTER_WARMUP = "after warm-up";

    static final String ROTATION = "rotation";

    static final String RESTART = "restart";

    /** Between the phases: the Workload API restarted with short-lived SVIDs, the server catching up. */
    static final String SWITCH = "switch";

    /**
     * One sample between chunks.
     *
     * @param at seconds since the end of the warm-up
     * @param phase the phase
     * @param requests requests completed so far (both kinds)
     * @param unsuccessful failed or non-2xx requests so far, plus ab runs that broke off
     * @param heapAfterGc bytes used after a full GC
     * @param threads the server's threads
     * @param fileDescriptors the server's open descriptors
     * @param sessions Tomcat's HTTP sessions
     * @param servedCertificates distinct certificates presented so far
     * @param events what happened to the Workload API since the previous sample
     */
    record Sample(long at, String phase, long requests, long unsuccessful, long heapAfterGc, int threads,
            int fileDescriptors, JvmProbe.Sessions sessions, int servedCertificates, String events) {
    }

    /**
     * Everything the report and the verdict need.
     *
     * @param warmup the warm-up runs
     * @param samples the samples, the first one right after the warm-up
     * @param rotations what the certificate watch saw, per phase
     * @param loadErrors ab runs that broke off
     * @param switchFailure why the server did not catch up after the switch to short-lived SVIDs, or null
     * @param pid the server's process id
     */
    record Results(List<LoadComparison.Measurement> warmup, List<Sample> samples,
            List<ServedCertificateWatch.Summary> rotations, List<String> loadErrors, String switchFailure, long pid) {
    }

    private final LoadOptions options;

    private final BenchmarkPki pki;

    private final ApacheBench ab;

    private final DevWorkloadApiProcess workloadApi;

    private final WorkloadApiProbe workloadApiProbe;

    private final AtomicLong requests = new AtomicLong();

    private final AtomicLong unsuccessful = new AtomicLong();

    private final List<String> loadErrors = new ArrayList<>();

    private final List<String> events = new ArrayList<>();

    private Instant origin;

    private volatile String switchFailure;

    Soak(LoadOptions options, BenchmarkPki pki, ApacheBench ab, DevWorkloadApiProcess workloadApi,
            WorkloadApiProbe workloadApiProbe) {
        this.options = options;
        this.pki = pki;
        this.ab = ab;
        this.workloadApi = workloadApi;
        this.workloadApiProbe = workloadApiProbe;
    }

    Results run(ServerProcess server) throws IOException, InterruptedException {
        log("warming up the starter: " + options.warmupKeepAlive() + " keep-alive requests, then "
                + options.warmupNewConnections() + " on new connections");
        List<LoadComparison.Measurement> warmup = LoadComparison.warmUp(ab, server, options);
        List<Sample> samples = new ArrayList<>();
        ExecutorService load = Executors.newFixedThreadPool(3);
        SpiffeTestClient client = SpiffeTestClient.withSvid(pki.order(), pki.authority().bundle());
        try (ServedCertificateWatch watch = new ServedCertificateWatch(workloadApiProbe, workloadApi.socket(), client,
                server.port(), BenchmarkPki.PAYMENT)) {
            origin = Instant.now();
            watch.phase(AFTER_WARMUP);
            watch.start(options.certificateSampleEvery());
            samples.add(sample(server, AFTER_WARMUP, watch));

            // Restart first, with SVIDs that live long enough for any restart (as SPIRE's hour-long ones do): with
            // 6 s SVIDs a restart slowed by a busy machine would test the clock, not the starter.
            watch.phase(RESTART);
            Future<?> restart = load.submit(() -> {
                Thread.sleep(options.soakDuration().toMillis() / 2);
                event("Workload API stopped (SIGTERM) mid-load");
                Instant stopped = Instant.now();
                workloadApi.stop();
                Thread.sleep(options.restartDowntime().toMillis());
                workloadApi.start(options.restartTtl());
                event(String.format("Workload API serving again, %.1f s after the stop (%s down, then its start-up)",
                        Duration.between(stopped, Instant.now()).toMillis() / 1000.0, options.restartDowntime()));
                return null;
            });
            runPhase(RESTART, server, load, samples, watch, restart);

            // Switching to short-lived SVIDs is a restart too, safe only while the SVID in use lives long. The
            // rotation phase starts once the server presents what the Workload API issues: the reconnect after
            // the switch (the starter's backoff) belongs to the restart, not to rotation.
            watch.phase(SWITCH);
            event("Workload API restarted with SVID lifetime " + options.rotationTtl() + " for the rotation phase");
            workloadApi.restart(Duration.ZERO, options.rotationTtl());
            awaitPresentingWhatIsIssued(server, client, Duration.ofSeconds(60));

            watch.phase(ROTATION);
            runPhase(ROTATION, server, load, samples, watch, null);
            watch.close();
            List<ServedCertificateWatch.Observation> observations = watch.observations();
            List<ServedCertificateWatch.Summary> rotations = List.of(
                    ServedCertificateWatch.summarize(RESTART, observations, BenchmarkPki.PAYMENT),
                    ServedCertificateWatch.summarize(ROTATION, observations, BenchmarkPki.PAYMENT));
            return new Results(warmup, samples, rotations, List.copyOf(loadErrors), switchFailure, server.pid());
        }
        finally {
            load.shutdownNow();
        }
    }

    private void runPhase(String phase, ServerProcess server, ExecutorService load, List<Sample> samples,
            ServedCertificateWatch watch, Future<?> background) throws IOException, InterruptedException {
        Instant end = Instant.now().plus(options.soakDuration());
        int keepAliveConcurrency = options.concurrency() / 2;
        int newConnectionConcurrency = options.concurrency() - keepAliveConcurrency;
        // Load goes on until the phase's time is up and its background task (the restart) is done, so that
        // the server is always seen under load after the Workload API came back.
        while (Instant.now().isBefore(end) || (background != null && !background.isDone())) {
            Duration chunk = Duration.between(Instant.now(), end);
            if (chunk.compareTo(options.sampleEvery()) > 0 || chunk.toSeconds() < 1) {
                chunk = (chunk.toSeconds() < 1) ? Duration.ofSeconds(Math.min(10, options.sampleEvery().toSeconds()))
                        : options.sampleEvery();
            }
            Duration length = chunk;
            Future<?> keepAlive = load.submit(() -> drive(server, phase + "-keepalive", keepAliveConcurrency, true, length));
            Future<?> newConnections = load.submit(() -> drive(server, phase + "-new-connection", newConnectionConcurrency,
                    false, length));
            await(keepAlive);
            await(newConnections);
            if (!server.isAlive()) {
                throw new IllegalStateException("the starter died during the soak:\n" + server.tail());
            }
            samples.add(sample(server, phase, watch));
        }
        if (background != null) {
            await(background);
        }
    }

    /** Waits until the server presents the SVID the Workload API issues now; a soak failure if it does not in time. */
    private void awaitPresentingWhatIsIssued(ServerProcess server, SpiffeTestClient client, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try (TestHttpConnection connection = client.connect("127.0.0.1", server.port())) {
                if (connection.serverCertificate().getSerialNumber()
                    .equals(workloadApiProbe.fetch(workloadApi.socket()).getSerialNumber())) {
                    event("the server presents the SVID issued now");
                    return;
                }
            }
            catch (IOException | RuntimeException notYet) {
                // the Workload API or the server is still catching up
            }
            Thread.sleep(250);
        }
        switchFailure = "the server did not present the SVID the Workload API issued within " + timeout
                + " of the switch to " + options.rotationTtl() + " SVIDs";
        event(switchFailure);
    }

    private Void drive(ServerProcess server, String label, int concurrency, boolean keepAlive, Duration length) {
        try {
            AbResult result = ab.run(label, server.port(), concurrency, keepAlive, length, 0);
            requests.addAndGet(result.complete());
            unsuccessful.addAndGet(result.unsuccessful());
        }
        catch (IOException | RuntimeException ex) {
            // An ab run that broke off counts as failed requests: the soak must not pass over it.
            unsuccessful.incrementAndGet();
            synchronized (loadErrors) {
                loadErrors.add(label + ": " + ex.getMessage());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private Sample sample(ServerProcess server, String phase, ServedCertificateWatch watch)
            throws IOException, InterruptedException {
        JvmProbe probe = server.probe();
        long heap = probe.heapAfterGc();
        int threads = probe.threads();
        int fileDescriptors = probe.fileDescriptors();
        JvmProbe.Sessions sessions = probe.sessions();
        // Stamped when taken, after the slow full GC, so that events logged meanwhile sort before it.
        Sample sample = new Sample(Duration.between(origin, Instant.now()).toSeconds(), phase, requests.get(),
                unsuccessful.get(), heap, threads, fileDescriptors, sessions, watch.servedSoFar(), drainEvents());
        log(String.format("t=%ds %s: %d requests, %d unsuccessful, heap after GC %.1f MiB, %d threads, %d fds, "
                + "sessions %d open / %d created, %d certificates served", sample.at(), phase, sample.requests(),
                sample.unsuccessful(), sample.heapAfterGc() / 1048576.0, sample.threads(), sample.fileDescriptors(),
                sample.sessions().active(), sample.sessions().created(), sample.servedCertificates()));
        return sample;
    }

    private synchronized void event(String what) {
        String stamped = "t=" + Duration.between(origin, Instant.now()).toSeconds() + "s " + what;
        events.add(stamped);
        log(stamped);
    }

    private synchronized String drainEvents() {
        String joined = String.join("; ", events);
        events.clear();
        return joined;
    }

    private static void await(Future<?> future) throws InterruptedException {
        try {
            future.get();
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException("soak task failed: " + ex.getCause(), ex.getCause());
        }
    }

    private static void log(String message) {
        System.out.println("[soak] " + message);
    }
}
