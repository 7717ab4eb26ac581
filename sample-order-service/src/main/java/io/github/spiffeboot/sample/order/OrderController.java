package io.github.spiffeboot.sample.order;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Orders: each one is charged through payment-service; refunds go there too. */
@RestController
@RequestMapping("/api/orders")
class OrderController {

    private final Payments payments;

    OrderController(Payments payments) {
        this.payments = payments;
    }

    @PostMapping
    Map<String, Object> create(@RequestBody(required = false) Map<String, Object> order) {
        String orderId = "o-" + UUID.randomUUID().toString().substring(0, 8);
        Object amount = (order != null) ? order.getOrDefault("amount", 0) : 0;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("orderId", orderId);
        result.put("status", "paid");
        result.put("payment", payments.charge(orderId, amount));
        return result;
    }

    @PostMapping("/{id}/refund")
    Map<String, Object> refund(@PathVariable String id) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("orderId", id);
        result.put("status", "refunded");
        result.put("payment", payments.refund(id));
        return result;
    }
}
