package io.github.spiffeboot.testapp;

import java.util.Map;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import io.github.spiffeboot.security.AllowedCallers;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableReactiveMethodSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The payment API of {@link PaymentsApplication} as a WebFlux application on Reactor Netty, for the reactive
 * authorization tests; its rules are in {@code application-payments.yml}.
 */
@SpringBootConfiguration
// Tomcat is on the test class path too (for the servlet tests); its reactive management server would clash
// with Netty's. A WebFlux application has Reactor Netty only.
@EnableAutoConfiguration(excludeName = "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration")
@EnableReactiveMethodSecurity
public class ReactivePaymentsApplication {

    public static SpringApplicationBuilder builder(Class<?>... more) {
        Class<?>[] sources = new Class<?>[more.length + 1];
        sources[0] = ReactivePaymentsApplication.class;
        System.arraycopy(more, 0, sources, 1, more.length);
        return new SpringApplicationBuilder(sources).profiles("payments")
            .properties("spring.main.web-application-type=reactive", "server.port=0", "spring.main.banner-mode=off");
    }

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
        Mono<String> payment(@PathVariable String id) {
            return Mono.just("payment " + id);
        }

        @GetMapping("/api/payments/{id}/receipt")
        @PreAuthorize("@spiffe.isCaller('spiffe://example.org/ns/production/sa/order-service')")
        Mono<String> receipt(@PathVariable String id) {
            return Mono.just("receipt " + id);
        }

        @GetMapping("/api/admin/settlements")
        @PreAuthorize("hasRole('PAYMENT_ADMIN')")
        Mono<String> settlements() {
            return Mono.just("settlements");
        }

        /** A typo in the pattern (a wildcard inside a segment): nobody may call this. */
        @GetMapping("/api/payments/{id}/audit")
        @PreAuthorize("@spiffe.callerMatches('spiffe://example.org/ns/prod*/sa/order-service')")
        Mono<String> audit(@PathVariable String id) {
            return Mono.just("audit " + id);
        }

        @GetMapping("/api/payments/{id}/export")
        @PreAuthorize("@spiffe.isFromTrustDomain('example.org')")
        Mono<String> export(@PathVariable String id) {
            return Mono.just("export " + id);
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

        @GetMapping("/api/unlisted")
        String unlisted() {
            return "unlisted";
        }

        @GetMapping("/api/admin/boom")
        Mono<String> boom() {
            return Mono.error(new IllegalStateException("boom"));
        }
    }
}
