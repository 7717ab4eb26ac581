package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.TestHttpConnection;

/**
 * Every few hundred milliseconds, asks the Workload API which SVID it issues now and the server which
 * certificate it presents (a full mTLS handshake that verifies it against the trust bundle, validity
 * included). From both series it tells whether every rotation was served: each SVID the Workload API issued
 * long enough to be seen twice must have been presented by the server at least once.
 */
final class ServedCertificateWatch implements AutoCloseable {

    /**
     * One sample.
     *
     * @param at when
     * @param phase the soak phase it belongs to
     * @param issued serial of the SVID the Workload API served, or null if it did not answer
     * @param served serial of the certificate the server presented, or null if the handshake failed
     * @param servedId the presented certificate's URI SAN
     * @param servedError why the handshake failed
     */
    record Observation(Instant at, String phase, BigInteger issued, BigInteger served, String servedId, String servedError) {
    }

    /**
     * What one phase showed.
     *
     * @param phase the phase
     * @param samples how many samples
     * @param apiDown samples in which the Workload API did not answer (it was restarting)
     * @param issued distinct SVIDs the Workload API served
     * @param served distinct certificates the server presented
     * @param missed SVIDs seen issued at least twice that the server never presented
     * @param failures handshakes that failed (for example an expired certificate), with when
     * @param wrongIdentity presented certificates without payment-service's SPIFFE ID
     */
    record Summary(String phase, int samples, int apiDown, int issued, int served, List<BigInteger> missed,
            List<String> failures, int wrongIdentity) {
    }

    private final WorkloadApiProbe workloadApi;

    private final Path socket;

    private final SpiffeTestClient client;

    private final int port;

    private final String expectedId;

    private final List<Observation> observations = new CopyOnWriteArrayList<>();

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "served-certificate-watch");
        thread.setDaemon(true);
        return thread;
    });

    private volatile String phase = "";

    ServedCertificateWatch(WorkloadApiProbe workloadApi, Path socket, SpiffeTestClient client, int port, String expectedId) {
        this.workloadApi = workloadApi;
        this.socket = socket;
        this.client = client;
        this.port = port;
        this.expectedId = expectedId;
    }

    void start(Duration every) {
        scheduler.scheduleWithFixedDelay(this::sample, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void phase(String name) {
        this.phase = name;
    }

    List<Observation> observations() {
        return List.copyOf(observations);
    }

    /** Distinct certificates presented so far, all phases. */
    int servedSoFar() {
        return (int) observations.stream().map(Observation::served).filter(serial -> serial != null).distinct().count();
    }

    private void sample() {
        // Issued first, then served: a server that picked up the SVID just issued shows it in the same sample.
        String currentPhase = phase;
        BigInteger issued;
        try {
            issued = workloadApi.fetch(socket).getSerialNumber();
        }
        catch (IOException | RuntimeException down) {
            issued = null;
        }
        try (TestHttpConnection connection = client.connect("127.0.0.1", port)) {
            X509Certificate served = connection.serverCertificate();
            observations.add(new Observation(Instant.now(), currentPhase, issued, served.getSerialNumber(), uri(served), null));
        }
        catch (IOException | RuntimeException ex) {
            observations.add(new Observation(Instant.now(), currentPhase, issued, null, null,
                    ex.getClass().getSimpleName() + ": " + ex.getMessage()));
        }
    }

    /** The phase's samples, judged against every certificate served in the whole soak. */
    static Summary summarize(String phase, List<Observation> all, String expectedId) {
        List<Observation> mine = all.stream().filter(observation -> observation.phase().equals(phase)).toList();
        Set<BigInteger> servedEver = all.stream().map(Observation::served).filter(serial -> serial != null)
            .collect(Collectors.toSet());
        Map<BigInteger, Integer> issuedCounts = new LinkedHashMap<>();
        int apiDown = 0;
        List<String> failures = new ArrayList<>();
        int wrongIdentity = 0;
        for (Observation observation : mine) {
            if (observation.issued() == null) {
                apiDown++;
            }
            else {
                issuedCounts.merge(observation.issued(), 1, Integer::sum);
            }
            if (observation.served() == null) {
                failures.add(observation.at() + " " + observation.servedError());
            }
            else if (!expectedId.equals(observation.servedId())) {
                wrongIdentity++;
            }
        }
        List<BigInteger> missed = issuedCounts.entrySet().stream()
            .filter(entry -> entry.getValue() >= 2 && !servedEver.contains(entry.getKey()))
            .map(Map.Entry::getKey)
            .toList();
        int served = (int) mine.stream().map(Observation::served).filter(serial -> serial != null).distinct().count();
        return new Summary(phase, mine.size(), apiDown, issuedCounts.size(), served, missed, failures, wrongIdentity);
    }

    private static String uri(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (Integer.valueOf(6).equals(name.get(0))) {
                        return (String) name.get(1);
                    }
                }
            }
        }
        catch (CertificateParsingException ex) {
            return "unparseable SAN";
        }
        return "none";
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
}
