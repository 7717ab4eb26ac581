package io.github.spiffeboot.sample.payment;

import java.util.Map;

import io.github.spiffeboot.security.AllowedCallers;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The payment API. Who may call which endpoint is configured in application.yml
 * ({@code spiffe.authz.allowed-callers}); reading a payment is further narrowed with {@link AllowedCallers}.
 */
@RestController
@RequestMapping("/api/payments")
class PaymentController {

    @PostMapping("/charge")
    Map<String, Object> charge(@RequestBody(required = false) Map<String, Object> order, Authentication caller) {
        return Map.of("status", "charged", "caller", caller.getName(), "order", (order != null) ? order : Map.of());
    }

    @PostMapping("/refund")
    Map<String, Object> refund(@RequestBody(required = false) Map<String, Object> order, Authentication caller) {
        return Map.of("status", "refunded", "caller", caller.getName(), "order", (order != null) ? order : Map.of());
    }

    @GetMapping("/{id}")
    @AllowedCallers({ "spiffe://example.org/ns/production/sa/order-service",
            "spiffe://example.org/ns/production/sa/subscription-service",
            "spiffe://example.org/ns/production/sa/shipping-service" })
    Map<String, Object> payment(@PathVariable String id, Authentication caller) {
        return Map.of("id", id, "status", "charged", "caller", caller.getName());
    }
}
