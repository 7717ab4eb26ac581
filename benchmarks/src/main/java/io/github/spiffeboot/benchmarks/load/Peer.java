package io.github.spiffeboot.benchmarks.load;

import java.nio.file.Path;

/** The three servers compared: the same endpoints, TLS with client certificates, different security. */
enum Peer {

    /** Plain Spring Boot TLS: PEM bundle, client-auth=need, no Spring Security. The baseline. */
    PLAIN("plain", "plain Boot TLS", "benchmarks/load-plain-tls/target/benchmark-plain-tls.jar"),

    /** Spring Security's x509() with a hand-written SPIFFE URI allowlist, stateless. */
    X509("x509", "Spring Security x509()", "benchmarks/load-x509/target/benchmark-x509.jar"),

    /** sample-payment-service with the starter, fed by the development Workload API. */
    STARTER("starter", "starter (sample-payment-service)", "sample-payment-service/target/sample-payment-service-exec.jar");

    private final String key;

    private final String title;

    private final String jar;

    Peer(String key, String title, String jar) {
        this.key = key;
        this.title = title;
        this.jar = jar;
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

    Path jar(Path root) {
        return root.resolve(jar);
    }
}
