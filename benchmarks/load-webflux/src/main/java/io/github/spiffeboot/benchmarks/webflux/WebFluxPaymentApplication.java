package io.github.spiffeboot.benchmarks.webflux;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * payment-service's charge endpoint on WebFlux with the starter: the same {@code spiffe.authz} rule, the same
 * JSON answer as the servlet peers, on Reactor Netty with the TLS engine {@code spiffe.server.tls-engine} names.
 */
@SpringBootApplication
public class WebFluxPaymentApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebFluxPaymentApplication.class, args);
    }

    @RestController
    @RequestMapping("/api/payments")
    static class PaymentController {

        @PostMapping("/charge")
        Mono<Map<String, Object>> charge(@RequestBody(required = false) Mono<Map<String, Object>> order,
                Mono<Authentication> caller) {
            return Mono.zip(order.defaultIfEmpty(Map.of()), caller.map(Authentication::getName))
                .map(both -> Map.of("status", "charged", "caller", both.getT2(), "order", both.getT1()));
        }
    }
}
