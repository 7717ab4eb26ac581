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
    STARTER("starter", "starter (sample-payment-service)", "sample-payment-service/target/sample-payment-service-exec.jar"),

    /** Plain Spring Boot TLS on WebFlux (Reactor Netty, JDK TLS): PEM bundle, client-auth=need, no security. */
    PLAIN_NETTY("plain-netty", "plain Boot TLS on WebFlux", "benchmarks/load-plain-webflux/target/benchmark-plain-webflux.jar"),

    /** Plain Spring Boot gRPC TLS: Boot's gRPC server, PEM bundle, client-auth=require, no Spring Security. */
    PLAIN_GRPC("plain-grpc", "plain Boot gRPC TLS", "benchmarks/load-plain-grpc/target/benchmark-plain-grpc.jar"),

    /** The starter on WebFlux (Reactor Netty), handshaking with the JDK's TLS. */
    NETTY_JDK("netty-jdk", "starter on WebFlux, JDK TLS", "benchmarks/load-webflux/target/benchmark-webflux.jar",
            "--spiffe.server.tls-engine=jdk"),

    /** The starter on WebFlux (Reactor Netty), handshaking with BoringSSL (netty-tcnative). */
    NETTY_BORINGSSL("netty-boringssl", "starter on WebFlux, BoringSSL", "benchmarks/load-webflux/target/benchmark-webflux.jar",
            "--spiffe.server.tls-engine=openssl");

    /** The order of a round of the default comparison; every other round runs it reversed. */
    static final List<Peer> ROUND_ORDER = List.of(PLAIN, SECURITY, X509, STARTER);

    /** The order of a round of the TLS-engine comparison ({@code --engines}). */
    static final List<Peer> ENGINE_ORDER = List.of(PLAIN, PLAIN_NETTY, NETTY_JDK, NETTY_BORINGSSL);

    /** The order of a round of the gRPC comparison ({@code --grpc}): baseline first, then the starter's gRPC API. */
    static final List<Peer> GRPC_ORDER = List.of(PLAIN_GRPC, STARTER);

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

    /** Whether the peer runs the starter, and so takes its SVID from the development Workload API. */
    boolean usesStarter() {
        return this == STARTER || this == NETTY_JDK || this == NETTY_BORINGSSL;
    }

    /** Whether the peer serves on Tomcat (and so has servlet sessions to count). */
    boolean servesOnTomcat() {
        return this != PLAIN_NETTY && this != NETTY_JDK && this != NETTY_BORINGSSL && this != PLAIN_GRPC;
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
