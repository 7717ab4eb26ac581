package io.github.spiffeboot.testapp;

import java.util.Map;

import io.github.spiffeboot.security.AllowedCallers;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The payment API shape of the sample, for the authorization tests; its rules are in
 * {@code application-payments.yml}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableMethodSecurity
public class PaymentsApplication {

    @RestController
    static class Payments {

        @PostMapping("/api/payments/charge")
        String charge() {
            return "charged";
        }

        @PostMapping("/api/payments/refund")
        String refund() {
            return "refunded";
        }

        @GetMapping("/api/payments/{id}")
        @AllowedCallers({ "spiffe://example.org/ns/production/sa/order-service", "spiffe://example.org/ns/ops/**" })
        String payment(@PathVariable String id) {
            return "payment " + id;
        }

        @GetMapping("/api/payments/{id}/receipt")
        @PreAuthorize("@spiffe.isCaller('spiffe://example.org/ns/production/sa/order-service')")
        String receipt(@PathVariable String id) {
            return "receipt " + id;
        }

        @GetMapping("/api/admin/settlements")
        @PreAuthorize("hasRole('PAYMENT_ADMIN')")
        String settlements() {
            return "settlements";
        }

        @PostMapping("/api/payments/trial")
        String trial() {
            return "trial";
        }

        @GetMapping("/api/me")
        Map<String, Object> me(Authentication authentication) {
            return Map.of("name", authentication.getName(), "principalType",
                    authentication.getPrincipal().getClass().getSimpleName(), "authorities",
                    authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).sorted().toList());
        }

        @GetMapping("/api/files/{*path}")
        String file(@PathVariable String path) {
            return "file " + path;
        }

        /** A typo in the pattern (a wildcard inside a segment): nobody may call this. */
        @GetMapping("/api/payments/{id}/audit")
        @PreAuthorize("@spiffe.callerMatches('spiffe://example.org/ns/prod*/sa/order-service')")
        String audit(@PathVariable String id) {
            return "audit " + id;
        }

        /** A trust domain the SPIFFE ID standard does not allow (upper case): nobody may call this. */
        @GetMapping("/api/payments/{id}/export")
        @PreAuthorize("@spiffe.isFromTrustDomain('Example.org')")
        String export(@PathVariable String id) {
            return "export " + id;
        }

        /** A pattern built per request: the callers of one namespace. */
        @GetMapping("/api/namespaces/{namespace}")
        @PreAuthorize("@spiffe.callerMatches('spiffe://example.org/ns/' + #namespace + '/**')")
        String namespace(@PathVariable String namespace) {
            return "namespace " + namespace;
        }

        @GetMapping("/api/unlisted")
        String unlisted() {
            return "unlisted";
        }
    }
}
