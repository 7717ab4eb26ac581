package io.github.spiffeboot.benchmarks.plainwebflux;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * payment-service's charge endpoint on WebFlux with Boot's own TLS (a PEM bundle, client-auth=need) and
 * nothing else: the WebFlux baseline the starter's WebFlux peers are compared with.
 */
@SpringBootApplication
public class PlainWebFluxPaymentApplication {

    public static void main(String[] args) {
        SpringApplication.run(PlainWebFluxPaymentApplication.class, args);
    }

    /** ab's HTTP/1.0 keep-alive, answered as the starter's WebFlux peer answers it (see that peer). */
    @Bean
    WebFilter http10KeepAlive() {
        return (exchange, chain) -> {
            String connection = exchange.getRequest().getHeaders().getFirst(HttpHeaders.CONNECTION);
            if (connection != null && connection.equalsIgnoreCase("keep-alive")) {
                exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "keep-alive");
            }
            return chain.filter(exchange);
        };
    }

    @RestController
    @RequestMapping("/api/payments")
    static class PaymentController {

        @PostMapping("/charge")
        Mono<Map<String, Object>> charge(@RequestBody(required = false) Mono<Map<String, Object>> order) {
            return order.defaultIfEmpty(Map.of()).map(body -> Map.of("status", "charged", "order", body));
        }
    }
}
