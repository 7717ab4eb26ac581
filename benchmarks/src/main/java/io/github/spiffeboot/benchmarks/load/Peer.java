package io.github.spiffeboot.benchmarks.load;

import java.nio.file.Path;
import java.util.List;

/** The servers compared: the same endpoints, TLS with client certificates, different security. */
enum Peer {

    /** Plain Spring Boot TLS: PEM bundle, client-auth=need, no Spring Security. The baseline. */
    PLAIN("plain", "plain Boot TLS", "benchmarks/load-plain-tls/target/benchmark-plain-tls.jar"),

    /**
     * Plain Boot TLS plus a Spring Security chain that authenticates nobody and permits everything (the x509
     * peer's jar in its {@code permit-all} profile): the price of a Spring Security chain as such, which the
     * starter pays too.
     */
    SECURITY("security", "Spring Security permit-all chain", "benchmarks/load-x509/target/benchmark-x509.jar",
            "--spring.profiles.active=permit-all"),

    /** Spring Security's x509() with a hand-written SPIFFE URI allowlist, stateless. */
    X509("x509", "Spring Security x509()", "benchmarks/load-x509/target/benchmark-x509.jar"),

    /** sample-payment-service with the starter, fed by the development Workload API. */
    STARTER("starter", "starter (sample-payment-service)", "sample-payment-service/target/sample-payment-service-exec.jar");

    /** The order of a round; every other round runs it reversed. */
    static final List<Peer> ROUND_ORDER = List.of(PLAIN, SECURITY, X509, STARTER);

    static final List<Peer> REVERSED_ORDER = List.of(STARTER, X509, SECURITY, PLAIN);

    private final String key;

    private final String title;

    private final String jar;

    private final List<String> arguments;

    Peer(String key, String title, String jar, String... arguments) {
        this.key = key;
        this.title = title;
        this.jar = jar;
        this.arguments = List.of(arguments);
    }

    /** Short name, for tables and file names. */
    String key() {
        return key;
    }

    String title() {
        return title;
    }

    /** The server's executable jar, relative to the checkout. */
    String jar() {
        return jar;
    }

    /** Program arguments of this peer, after the ones every server gets. */
    List<String> arguments() {
        return arguments;
    }

    Path jar(Path root) {
        return root.resolve(jar);
    }
}
