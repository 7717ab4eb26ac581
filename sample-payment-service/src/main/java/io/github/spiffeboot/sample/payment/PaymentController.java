package io.github.spiffeboot.sample.payment;

import java.security.cert.X509Certificate;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The payment API. Who may call which endpoint is configured in application.yml (authorization issue). */
@RestController
@RequestMapping("/api/payments")
class PaymentController {

    @PostMapping("/charge")
    Map<String, Object> charge(@RequestBody(required = false) Map<String, Object> order, HttpServletRequest request) {
        return Map.of("status", "charged", "caller", caller(request), "order", (order != null) ? order : Map.of());
    }

    @PostMapping("/refund")
    Map<String, Object> refund(@RequestBody(required = false) Map<String, Object> order, HttpServletRequest request) {
        return Map.of("status", "refunded", "caller", caller(request), "order", (order != null) ? order : Map.of());
    }

    @GetMapping("/{id}")
    Map<String, Object> payment(@PathVariable String id, HttpServletRequest request) {
        return Map.of("id", id, "status", "charged", "caller", caller(request));
    }

    private static String caller(HttpServletRequest request) {
        X509Certificate[] chain = (X509Certificate[]) request.getAttribute("jakarta.servlet.request.X509Certificate");
        if (chain == null || chain.length == 0) {
            return "anonymous";
        }
        try {
            return chain[0].getSubjectAlternativeNames().stream()
                .filter(name -> Integer.valueOf(6).equals(name.get(0)))
                .map(name -> String.valueOf(name.get(1)))
                .findFirst()
                .orElse("unknown");
        }
        catch (java.security.cert.CertificateParsingException ex) {
            return "unknown";
        }
    }
}
