package io.github.spiffeboot.test.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;

/**
 * A local development Workload API: one socket per workload, all issued by one CA of one trust domain,
 * with a short SVID lifetime so that rotation is visible. Not an agent for production: it attests
 * nothing and hands each socket's identity to whoever connects.
 * <p>
 * As a program: {@code DevWorkloadApi --dir /tmp/spiffe-dev --ttl PT30S order=spiffe://example.org/order ...}
 * serves {@code /tmp/spiffe-dev/order.sock} and so on until stopped, and writes the CA certificate to
 * {@code bundle.pem} there. The CA and its key are kept in that directory too (see {@link #authority}), so
 * a restart on the same directory keeps the trust bundle.
 */
public final class DevWorkloadApi implements AutoCloseable {

    /** The CA certificate kept in the directory. */
    public static final String CA_CERTIFICATE_FILE = "ca.pem";

    /** The CA's private key kept in the directory. */
    public static final String CA_KEY_FILE = "ca-key.pem";

    private final TestCertificateAuthority authority;

    private final Map<String, TestWorkloadApi> workloads = new LinkedHashMap<>();

    private DevWorkloadApi(TestCertificateAuthority authority) {
        this.authority = authority;
    }

    /**
     * Starts serving each workload (name to SPIFFE ID) on {@code <directory>/<name>.sock}, rotating every
     * half {@code ttl}.
     */
    public static DevWorkloadApi start(Path directory, String trustDomain, Duration ttl, Map<String, String> ids)
            throws IOException {
        Files.createDirectories(directory);
        DevWorkloadApi dev = new DevWorkloadApi(authority(directory, trustDomain));
        for (Map.Entry<String, String> workload : ids.entrySet()) {
            TestWorkloadApi api = TestWorkloadApi.create(dev.authority, directory.resolve(workload.getKey() + ".sock"))
                .svidTtl(ttl)
                .identity(workload.getValue())
                .start()
                .autoRotate();
            dev.workloads.put(workload.getKey(), api);
        }
        new TestSvid(dev.authority.bundle(), null).writePem(directory.resolve("bundle.pem"), null);
        return dev;
    }

    /**
     * The CA kept in {@code directory} ({@value #CA_CERTIFICATE_FILE}, {@value #CA_KEY_FILE}), created and
     * stored there when there is none or it has expired. A development Workload API restarted on the same
     * directory therefore keeps its trust bundle, as a restarted SPIRE agent does, and a test harness can
     * issue further certificates (for example long-lived client certificates) from the same CA.
     *
     * @throws IllegalStateException if the directory holds the CA of another trust domain
     */
    public static TestCertificateAuthority authority(Path directory, String trustDomain) throws IOException {
        Path certificate = directory.resolve(CA_CERTIFICATE_FILE);
        Path key = directory.resolve(CA_KEY_FILE);
        if (Files.exists(certificate) && Files.exists(key)) {
            TestCertificateAuthority stored = TestCertificateAuthority.load(certificate, key);
            if (!stored.trustDomain().equals(trustDomain)) {
                throw new IllegalStateException(certificate + " is the CA of trust domain " + stored.trustDomain()
                        + ", not of " + trustDomain + ": use another directory");
            }
            if (stored.certificate().getNotAfter().toInstant().isAfter(Instant.now())) {
                return stored;
            }
        }
        TestCertificateAuthority created = TestCertificateAuthority.create(trustDomain);
        created.writePem(certificate, key);
        return created;
    }

    /** The server of one workload, by name. */
    public TestWorkloadApi workload(String name) {
        TestWorkloadApi api = workloads.get(name);
        if (api == null) {
            throw new IllegalArgumentException("no workload named " + name);
        }
        return api;
    }

    public TestCertificateAuthority authority() {
        return authority;
    }

    @Override
    public void close() {
        workloads.values().forEach(TestWorkloadApi::close);
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(System.getProperty("java.io.tmpdir"), "spiffe-dev");
        Duration ttl = Duration.ofSeconds(30);
        Map<String, String> ids = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(List.of(args));
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            switch (arg) {
                case "--dir" -> directory = Path.of(rest.get(++i));
                case "--ttl" -> ttl = Duration.parse(rest.get(++i));
                default -> {
                    int equals = arg.indexOf('=');
                    if (equals < 1) {
                        System.err.println("usage: DevWorkloadApi [--dir DIR] [--ttl PT30S] name=spiffe://td/path ...");
                        System.exit(2);
                    }
                    ids.put(arg.substring(0, equals), arg.substring(equals + 1));
                }
            }
        }
        if (ids.isEmpty()) {
            System.err.println("usage: DevWorkloadApi [--dir DIR] [--ttl PT30S] name=spiffe://td/path ...");
            System.exit(2);
        }
        String trustDomain = java.net.URI.create(ids.values().iterator().next()).getHost();
        DevWorkloadApi dev = start(directory, trustDomain, ttl, ids);
        Runtime.getRuntime().addShutdownHook(new Thread(dev::close));
        for (String name : ids.keySet()) {
            System.out.println("serving " + ids.get(name) + " on unix://" + dev.workload(name).socketPath());
        }
        new CountDownLatch(1).await();
    }
}
