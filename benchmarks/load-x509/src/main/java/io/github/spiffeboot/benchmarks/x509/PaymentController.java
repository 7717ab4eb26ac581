package io.github.spiffeboot.benchmarks.x509;

import java.util.Map;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** sample-payment-service's endpoints and answers; who may call them is in {@link SecurityConfiguration}. */
@RestController
@RequestMapping("/api/payments")
class PaymentController {

    @PostMapping("/charge")
    Map<String, Object> charge(@RequestBody(required = false) Map<String, Object> order, Authentication caller) {
        return Map.of("status", "charged", "caller", name(caller), "order", (order != null) ? order : Map.of());
    }

    @PostMapping("/refund")
    Map<String, Object> refund(@RequestBody(required = false) Map<String, Object> order, Authentication caller) {
        return Map.of("status", "refunded", "caller", name(caller), "order", (order != null) ? order : Map.of());
    }

    @GetMapping("/{id}")
    Map<String, Object> payment(@PathVariable String id, Authentication caller) {
        return Map.of("id", id, "status", "charged", "caller", name(caller));
    }

    /** The permit-all profile has no authenticated caller (Spring MVC resolves an anonymous one to null). */
    private static String name(Authentication caller) {
        return (caller != null) ? caller.getName() : "anonymous";
    }
}
