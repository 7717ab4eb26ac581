package io.github.spiffeboot.benchmarks.plain;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The load benchmark's baseline: payment-service's endpoints served by plain Spring Boot TLS (a PEM
 * {@code SslBundle}, {@code client-auth=need}), without Spring Security and without the starter. It answers
 * every caller that the trust store accepts: it measures what TLS and Spring MVC cost, nothing more.
 */
@SpringBootApplication
public class PlainTlsPaymentApplication {

    public static void main(String[] args) {
        SpringApplication.run(PlainTlsPaymentApplication.class, args);
    }
}
