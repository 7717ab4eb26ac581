package io.github.spiffeboot.sample.payment;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;

/** The payment service of the sample: serves its API over SPIFFE mTLS to the callers its rules allow. */
@SpringBootApplication
@EnableMethodSecurity
public class PaymentServiceApplication {

    public static void main(String[] args) {
        application().run(args);
    }

    /** The application, configured from {@code payment-service.yml} (so it can share a JVM with order-service in tests). */
    public static SpringApplicationBuilder application() {
        // The main class named, not deduced from the caller's stack: in AOT mode it names the generated
        // initializer, also when a test starts the application.
        return new SpringApplicationBuilder(PaymentServiceApplication.class).main(PaymentServiceApplication.class)
            .properties("spring.config.name=payment-service");
    }
}
