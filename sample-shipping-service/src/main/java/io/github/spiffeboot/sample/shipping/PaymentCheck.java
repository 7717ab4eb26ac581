package io.github.spiffeboot.sample.shipping;

import java.util.Map;

import io.github.spiffeboot.client.SpiffeWebClients;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Asks payment-service whether an order was charged, with shipping-service's SVID, accepting only the server
 * ID configured under {@code spiffe.client.servers.payment}.
 */
@Component
class PaymentCheck {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    private final WebClient payments;

    PaymentCheck(WebClient.Builder builder, SpiffeWebClients spiffe) {
        this.payments = builder.apply(spiffe.server("payment")).build();
    }

    Mono<Map<String, Object>> paymentOf(String orderId) {
        return payments.get().uri("/api/payments/{id}", orderId).retrieve().bodyToMono(JSON);
    }
}
