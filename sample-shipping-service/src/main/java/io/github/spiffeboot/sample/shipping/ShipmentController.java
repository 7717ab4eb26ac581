package io.github.spiffeboot.sample.shipping;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import io.github.spiffeboot.security.AllowedCallers;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Shipments. Who may create one is configured in {@code shipping-service.yml} ({@code spiffe.authz}); tracking
 * is open to the trust domain there and narrowed with {@link AllowedCallers} on the reactive method.
 */
@RestController
@RequestMapping("/api/shipments")
class ShipmentController {

    /** Order IDs go into payment-service's URL: nothing that could change its path gets that far. */
    private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final PaymentCheck payments;

    ShipmentController(PaymentCheck payments) {
        this.payments = payments;
    }

    @PostMapping
    Mono<Map<String, Object>> ship(@RequestBody(required = false) Map<String, Object> request,
            Authentication caller) {
        Object orderId = (request != null) ? request.get("orderId") : null;
        if (!(orderId instanceof String id) || !ORDER_ID.matcher(id).matches()) {
            return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "orderId: 1 to 64 letters, digits or dashes"));
        }
        return payments.paymentOf(id).map(payment -> {
            Map<String, Object> shipment = new LinkedHashMap<>();
            shipment.put("shipmentId", "s-" + UUID.randomUUID().toString().substring(0, 8));
            shipment.put("orderId", id);
            shipment.put("status", "shipped");
            shipment.put("requestedBy", caller.getName());
            shipment.put("payment", payment);
            return shipment;
        });
    }

    @GetMapping("/{id}")
    @AllowedCallers({ "spiffe://example.org/ns/production/sa/storefront",
            "spiffe://example.org/ns/production/sa/order-service" })
    Mono<Map<String, Object>> track(@PathVariable String id, Authentication caller) {
        return Mono.just(Map.of("shipmentId", id, "status", "in transit", "caller", caller.getName()));
    }
}
