package io.github.spiffeboot.benchmarks.webflux;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.WebFilter;
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

    /**
     * ab speaks HTTP/1.0 and reuses a connection only when the response says {@code Connection: keep-alive}.
     * Reactor Netty keeps such a connection open but does not say so (Tomcat does), so ab would open a new
     * connection per request in the keep-alive rounds. Saying it is all this filter does; the load driver's
     * keep-alive check proves the connections are reused.
     */
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
        Mono<Map<String, Object>> charge(@RequestBody(required = false) Mono<Map<String, Object>> order,
                Mono<Authentication> caller) {
            return Mono.zip(order.defaultIfEmpty(Map.of()), caller.map(Authentication::getName))
                .map(both -> Map.of("status", "charged", "caller", both.getT2(), "order", both.getT1()));
        }
    }
}
