package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.security.ManagementPortRequestMatcher;
import io.github.spiffeboot.security.ManagementPortSecurityFilterChain;
import io.github.spiffeboot.security.SpiffeAuthorizationManager;
import io.github.spiffeboot.security.SpiffeErrorResponses;
import io.github.spiffeboot.security.SpiffeExpressions;
import io.github.spiffeboot.security.SpiffeHttpConfigurer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AnnotationTemplateExpressionDefaults;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Security with SPIFFE identities: a {@link SecurityFilterChain} that authenticates callers by
 * their SVID and enforces {@code spiffe.authz.allowed-callers} (backing off when the application defines
 * its own chain, which can apply {@link SpiffeHttpConfigurer}), the {@code @spiffe} bean for
 * {@code @PreAuthorize}, and the audit log.
 */
@AutoConfiguration(after = { SpiffeAutoConfiguration.class, SpiffeAuthorizationAutoConfiguration.class },
        beforeName = { "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration" })
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass({ SecurityFilterChain.class, HttpSecurity.class })
@ConditionalOnProperty(prefix = "spiffe", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(prefix = "spiffe.authz", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SpiffeProperties.class)
public class SpiffeSecurityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SpiffeAuthorizationManager spiffeAuthorizationManager(AuthorizationPolicy policy,
            ObjectProvider<AuthorizationDecisionListener> listeners) {
        return new SpiffeAuthorizationManager(policy, listeners.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean
    SpiffeErrorResponses spiffeErrorResponses() {
        return new SpiffeErrorResponses();
    }

    @Bean("spiffe")
    @ConditionalOnMissingBean(name = "spiffe")
    SpiffeExpressions spiffe() {
        return new SpiffeExpressions();
    }

    /** Lets {@code @AllowedCallers} (a templated {@code @PreAuthorize}) pass its patterns. */
    @Bean
    @ConditionalOnMissingBean
    static AnnotationTemplateExpressionDefaults spiffeAnnotationTemplateDefaults() {
        return new AnnotationTemplateExpressionDefaults();
    }

    /**
     * Spring Security's own observations off: observing requests wraps every filter of the chain in an
     * observation with two meter events per filter per request, and observing authorizations times each
     * decision again; together they cost more server CPU than the whole SPIFFE authentication and
     * authorization (profiles in BENCHMARKS.md). Requests stay timed by {@code http.server.requests} and
     * decisions are counted by rule and outcome ({@code spiffe.authz.decisions}). An application that wants
     * Spring Security's observations defines its own {@link SecurityObservationSettings}.
     */
    @Bean
    @ConditionalOnMissingBean
    SecurityObservationSettings spiffeSecurityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /** Callers authenticate with certificates: no generated password user. */
    @Bean
    @ConditionalOnMissingBean(UserDetailsService.class)
    InMemoryUserDetailsManager spiffeNoPasswordUsers() {
        return new InMemoryUserDetailsManager();
    }

    @Bean
    @ConditionalOnMissingBean(value = SecurityFilterChain.class, ignored = ManagementPortSecurityFilterChain.class)
    SecurityFilterChain spiffeSecurityFilterChain(HttpSecurity http) throws Exception {
        return http.with(SpiffeHttpConfigurer.spiffe(), Customizer.withDefaults()).build();
    }

    /**
     * With a separate management port ({@code management.server.port}), health, info and Prometheus there
     * are open to callers without certificates (kubelet probes, scrapers); the rest of that port is
     * closed. The application port stays SPIFFE-only.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest")
    @ConditionalOnProperty(prefix = "management.server", name = "port")
    static class ManagementPort {

        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        @ConditionalOnMissingBean
        ManagementPortSecurityFilterChain spiffeManagementPortSecurityFilterChain(HttpSecurity http,
                Environment environment) throws Exception {
            http.securityMatcher(new ManagementPortRequestMatcher(environment))
                .authorizeHttpRequests(requests -> requests
                    .requestMatchers(EndpointRequest.to("health", "info", "prometheus")).permitAll()
                    .anyRequest().denyAll())
                .csrf(csrf -> csrf.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable());
            // As the chain's default, not through sessionManagement(): see SpiffeHttpConfigurer#setBuilder.
            http.setSharedObject(SessionCreationPolicy.class, SessionCreationPolicy.STATELESS);
            return new ManagementPortSecurityFilterChain(http.build());
        }
    }
}
