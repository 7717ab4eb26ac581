package io.github.spiffeboot.sample.order;

import java.util.Map;

import io.github.spiffeboot.client.SpiffeRestClients;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;

/**
 * Calls payment-service's REST API with order-service's SVID, accepting only the server ID configured under
 * {@code spiffe.client.servers.payment}.
 */
class RestPayments implements Payments {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    private final RestClient payments;

    RestPayments(RestClient.Builder builder, SpiffeRestClients spiffe) {
        this.payments = builder.apply(spiffe.server("payment")).build();
    }

    @Override
    public Map<String, Object> charge(String orderId, Object amount) {
        return payments.post()
            .uri("/api/payments/charge")
            .body(Map.of("orderId", orderId, "amount", amount))
            .retrieve()
            .body(JSON);
    }

    @Override
    public Map<String, Object> refund(String orderId) {
        return payments.post().uri("/api/payments/refund").body(Map.of("orderId", orderId)).retrieve().body(JSON);
    }
}
