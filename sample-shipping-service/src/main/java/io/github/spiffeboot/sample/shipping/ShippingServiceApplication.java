package io.github.spiffeboot.sample.shipping;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.security.config.annotation.method.configuration.EnableReactiveMethodSecurity;

/**
 * The shipping service of the sample, on WebFlux (Reactor Netty): ships paid orders, checking each payment with
 * payment-service over SPIFFE mTLS. Reactive method security narrows tracking to named callers.
 */
@SpringBootApplication
@EnableReactiveMethodSecurity
public class ShippingServiceApplication {

    public static void main(String[] args) {
        application().run(args);
    }

    /**
     * The application, configured from {@code shipping-service.yml}. Reactive, said explicitly: a test that
     * runs it next to a servlet service has both stacks on its classpath.
     */
    public static SpringApplicationBuilder application() {
        // The main class named, not deduced from the caller's stack: in AOT mode it names the generated
        // initializer, also when a test starts the application.
        return new SpringApplicationBuilder(ShippingServiceApplication.class).main(ShippingServiceApplication.class)
            .web(WebApplicationType.REACTIVE)
            .properties("spring.config.name=shipping-service");
    }
}
