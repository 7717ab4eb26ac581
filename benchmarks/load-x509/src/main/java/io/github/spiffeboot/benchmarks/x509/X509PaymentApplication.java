package io.github.spiffeboot.benchmarks.x509;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;

/**
 * The load benchmark's second peer: payment-service's endpoints on Spring Boot TLS with Spring Security's
 * own {@code x509()} authentication and a hand-written allowlist, as a careful user without the starter
 * would write it (see {@link SecurityConfiguration}). No password user exists: callers are known only by
 * their client certificate.
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
public class X509PaymentApplication {

    public static void main(String[] args) {
        SpringApplication.run(X509PaymentApplication.class, args);
    }
}
