package io.github.spiffeboot.benchmarks.plain;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** sample-payment-service's endpoints; with no authentication there is no caller to report. */
@RestController
@RequestMapping("/api/payments")
class PaymentController {

    @PostMapping("/charge")
    Map<String, Object> charge(@RequestBody(required = false) Map<String, Object> order) {
        return Map.of("status", "charged", "order", (order != null) ? order : Map.of());
    }

    @PostMapping("/refund")
    Map<String, Object> refund(@RequestBody(required = false) Map<String, Object> order) {
        return Map.of("status", "refunded", "order", (order != null) ? order : Map.of());
    }

    @GetMapping("/{id}")
    Map<String, Object> payment(@PathVariable String id) {
        return Map.of("id", id, "status", "charged");
    }
}
