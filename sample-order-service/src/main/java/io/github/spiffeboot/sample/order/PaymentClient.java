package io.github.spiffeboot.sample.order;

import java.util.Map;

import io.github.spiffeboot.client.SpiffeRestClients;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Calls payment-service with order-service's SVID, accepting only the server ID configured under
 * {@code spiffe.client.servers.payment}.
 */
@Component
class PaymentClient {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    private final RestClient payments;

    PaymentClient(RestClient.Builder builder, SpiffeRestClients spiffe) {
        this.payments = builder.apply(spiffe.server("payment")).build();
    }

    Map<String, Object> charge(String orderId, Object amount) {
        return payments.post()
            .uri("/api/payments/charge")
            .body(Map.of("orderId", orderId, "amount", amount))
            .retrieve()
            .body(JSON);
    }

    Map<String, Object> refund(String orderId) {
        return payments.post().uri("/api/payments/refund").body(Map.of("orderId", orderId)).retrieve().body(JSON);
    }
}
