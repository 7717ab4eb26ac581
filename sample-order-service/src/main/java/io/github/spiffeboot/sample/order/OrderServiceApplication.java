package io.github.spiffeboot.sample.order;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The order service of the sample: charges and refunds through payment-service over SPIFFE mTLS. */
@SpringBootApplication
public class OrderServiceApplication {

    public static void main(String[] args) {
        application().run(args);
    }

    /** The application, configured from {@code order-service.yml} (so it can share a JVM with payment-service in tests). */
    public static SpringApplicationBuilder application() {
        // The main class named, not deduced from the caller's stack: in AOT mode it names the generated
        // initializer, also when a test starts the application.
        return new SpringApplicationBuilder(OrderServiceApplication.class).main(OrderServiceApplication.class)
            .properties("spring.config.name=order-service");
    }
}
