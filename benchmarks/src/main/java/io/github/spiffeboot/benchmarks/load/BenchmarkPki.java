package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.dev.DevWorkloadApi;

/**
 * The certificates of one run, issued at its start and written to its working directory (nothing is
 * committed). One CA serves everything: it is the development Workload API's own CA (kept in that
 * directory, see {@link DevWorkloadApi#authority}), so the starter (fed by the Workload API), the two
 * peers (PEM files) and the clients all share one trust domain.
 * <p>
 * Files: {@code bundle.pem} (the CA), {@code server.pem}/{@code server-key.pem} (payment-service, for the
 * peers), and per client {@code <name>.pem}, {@code <name>-key.pem} and {@code <name>-ab.pem} (chain and key
 * in one file, as {@code ab -E} reads them).
 */
final class BenchmarkPki {

    static final String TRUST_DOMAIN = "example.org";

    static final String PAYMENT = "spiffe://example.org/ns/production/sa/payment-service";

    /** Allowed to charge by sample-payment-service's rules, and by the x509() peer's allowlist. */
    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    /** A workload of the trust domain that neither rule set allows to charge. */
    static final String STOREFRONT = "spiffe://example.org/ns/production/sa/storefront";

    /** Client names, as files are named. */
    static final String ORDER_CLIENT = "order-service";

    static final String STOREFRONT_CLIENT = "storefront";

    /** A certificate of the same CA without any URI SAN: trusted by PKIX, but no SPIFFE ID. */
    static final String NO_SPIFFE_ID_CLIENT = "no-spiffe-id";

    /** Long enough for any run; the development CA itself lives a day. */
    private static final Duration LIFETIME = Duration.ofHours(12);

    private final Path directory;

    private final TestCertificateAuthority authority;

    private final TestSvid order;

    private BenchmarkPki(Path directory, TestCertificateAuthority authority, TestSvid order) {
        this.directory = directory;
        this.authority = authority;
        this.order = order;
    }

    static BenchmarkPki create(Path directory) throws IOException {
        TestCertificateAuthority authority = DevWorkloadApi.authority(directory, TRUST_DOMAIN);
        new TestSvid(authority.bundle(), null).writePem(directory.resolve("bundle.pem"), null);
        authority.issue(PAYMENT, LIFETIME).writePem(directory.resolve("server.pem"), directory.resolve("server-key.pem"));
        TestSvid order = authority.issue(ORDER, LIFETIME);
        write(order, directory, ORDER_CLIENT);
        write(authority.issue(STOREFRONT, LIFETIME), directory, STOREFRONT_CLIENT);
        write(authority.issue(SvidSpec.withoutUri().ttl(LIFETIME)), directory, NO_SPIFFE_ID_CLIENT);
        return new BenchmarkPki(directory, authority, order);
    }

    private static void write(TestSvid svid, Path directory, String name) throws IOException {
        Path certificate = directory.resolve(name + ".pem");
        Path key = directory.resolve(name + "-key.pem");
        svid.writePem(certificate, key);
        Files.writeString(directory.resolve(name + "-ab.pem"), Files.readString(certificate) + Files.readString(key));
    }

    Path directory() {
        return directory;
    }

    TestCertificateAuthority authority() {
        return authority;
    }

    /** The order-service client's SVID, for Java clients. */
    TestSvid order() {
        return order;
    }

    Path certificate(String client) {
        return directory.resolve(client + ".pem");
    }

    Path key(String client) {
        return directory.resolve(client + "-key.pem");
    }

    /** Chain and key in one PEM file, for {@code ab -E}. */
    Path abClientFile(String client) {
        return directory.resolve(client + "-ab.pem");
    }
}
