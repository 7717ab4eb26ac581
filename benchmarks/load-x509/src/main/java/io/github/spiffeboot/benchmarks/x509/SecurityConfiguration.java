package io.github.spiffeboot.benchmarks.x509;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;

/**
 * Spring Security as a careful user writes it for a stateless mTLS API without the starter: TLS (with
 * {@code client-auth=need}) has verified the chain against the trust store; {@code x509()} names the
 * caller by the certificate's SPIFFE URI SAN; a hand-written allowlist per endpoint mirrors
 * sample-payment-service's {@code payment-service.yml}; everything else is denied; no session, no request
 * cache, no CSRF tokens (there are no cookies to protect), 401 for a certificate without a SPIFFE ID.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String SUBSCRIPTION = "spiffe://example.org/ns/production/sa/subscription-service";

    /**
     * The profile of the benchmark's "security" peer: the same app with a Spring Security chain that
     * authenticates nobody and permits everything (stateless, no CSRF, no request cache, Spring Security's
     * default filters otherwise). Measured next to plain Boot TLS, it is the price of running a Spring
     * Security chain at all, which the starter pays too because it authenticates inside one.
     */
    static final String PERMIT_ALL = "permit-all";

    /** Health and metrics on the plain-HTTP management port, as the starter's own management chain allows. */
    @Bean
    @Order(1)
    SecurityFilterChain management(HttpSecurity http, Environment environment) throws Exception {
        http.securityMatcher(new ManagementPortMatcher(environment))
            .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
            .csrf(csrf -> csrf.disable())
            .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    @Bean
    @Order(2)
    @Profile("!" + PERMIT_ALL)
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        http.x509(x509 -> x509.x509PrincipalExtractor(new SpiffeUriPrincipalExtractor())
                .authenticationUserDetailsService(
                        token -> new User(token.getName(), "", AuthorityUtils.NO_AUTHORITIES)))
            .authorizeHttpRequests(requests -> requests
                .requestMatchers(HttpMethod.POST, "/api/payments/charge").access(CallerAllowlist.of(ORDER, SUBSCRIPTION))
                .requestMatchers(HttpMethod.POST, "/api/payments/refund").access(CallerAllowlist.of(ORDER))
                .requestMatchers(HttpMethod.GET, "/api/payments/*").access(CallerAllowlist.of(ORDER, SUBSCRIPTION))
                .anyRequest().denyAll())
            .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .requestCache(cache -> cache.disable())
            .csrf(csrf -> csrf.disable())
            .exceptionHandling(errors -> errors.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)));
        return http.build();
    }

    @Bean
    @Order(2)
    @Profile(PERMIT_ALL)
    SecurityFilterChain permitAll(HttpSecurity http) throws Exception {
        // The chain the starter's SpiffeHttpConfigurer builds, minus SPIFFE authentication and authorization:
        // stateless as a shared default (no SessionManagementFilter), no CSRF, logout or request cache.
        http.setSharedObject(SessionCreationPolicy.class, SessionCreationPolicy.STATELESS);
        http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
            .requestCache(cache -> cache.disable())
            .logout(logout -> logout.disable())
            .csrf(csrf -> csrf.disable());
        return http.build();
    }
}
