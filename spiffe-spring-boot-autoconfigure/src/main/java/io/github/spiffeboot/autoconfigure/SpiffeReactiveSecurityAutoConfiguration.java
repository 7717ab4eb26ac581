package io.github.spiffeboot.autoconfigure;

import java.time.Clock;
import java.util.Map;

import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.reactive.ManagementPortExchangeMatcher;
import io.github.spiffeboot.reactive.ManagementPortSecurityWebFilterChain;
import io.github.spiffeboot.reactive.SpiffeAuthenticationWebFilter;
import io.github.spiffeboot.reactive.SpiffeReactiveAuthorizationManager;
import io.github.spiffeboot.reactive.SpiffeServerErrorResponses;
import io.github.spiffeboot.reactive.SpiffeServerHttpConfigurer;
import io.github.spiffeboot.security.ReactiveSpiffeExpressions;
import io.github.spiffeboot.security.JwtSvidCallers;
import io.github.spiffeboot.security.SpiffeAuthorities;
import io.github.spiffeboot.security.VerifiedCallers;
import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.annotation.AnnotationTemplateExpressionDefaults;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;

/**
 * Reactive Spring Security with SPIFFE identities, for WebFlux applications: a {@link SecurityWebFilterChain}
 * that authenticates callers by their SVID and enforces {@code spiffe.authz.allowed-callers} with the same
 * policy, audit log and metrics as servlet applications (backing off when the application defines its own
 * chain, which can apply {@link SpiffeServerHttpConfigurer}), and the {@code @spiffe} bean for reactive
 * method security.
 */
@AutoConfiguration(after = { SpiffeAutoConfiguration.class, SpiffeAuthorizationAutoConfiguration.class },
        beforeName = { "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration" })
@ConditionalOnWebApplication(type = Type.REACTIVE)
@ConditionalOnClass({ SecurityWebFilterChain.class, ServerHttpSecurity.class })
@ConditionalOnProperty(prefix = "spiffe", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(prefix = "spiffe.authz", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(X509ContextSource.class)
@EnableConfigurationProperties(SpiffeProperties.class)
public class SpiffeReactiveSecurityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SpiffeReactiveAuthorizationManager spiffeReactiveAuthorizationManager(AuthorizationPolicy policy,
            ObjectProvider<AuthorizationDecisionListener> listeners) {
        return new SpiffeReactiveAuthorizationManager(policy, listeners.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean
    SpiffeServerHttpConfigurer spiffeServerHttpConfigurer(X509ContextSource source, SpiffeAuthorities authorities,
            SpiffeReactiveAuthorizationManager authorization, ObjectProvider<JwtSvidCallers> jwtSvidCallers) {
        // Not a bean of its own: a WebFilter bean would run on every exchange, outside the security chain.
        SpiffeAuthenticationWebFilter authentication = new SpiffeAuthenticationWebFilter(
                new VerifiedCallers(source, authorities), jwtSvidCallers.getIfAvailable(), Clock.systemUTC());
        return new SpiffeServerHttpConfigurer(authentication, authorization, new SpiffeServerErrorResponses());
    }

    @Bean
    @ConditionalOnMissingBean(value = SecurityWebFilterChain.class, ignored = ManagementPortSecurityWebFilterChain.class)
    SecurityWebFilterChain spiffeSecurityWebFilterChain(ServerHttpSecurity http, SpiffeServerHttpConfigurer spiffe) {
        return spiffe.spiffe(http).build();
    }

    /** {@code @spiffe} for {@code @PreAuthorize} with {@code @EnableReactiveMethodSecurity}. */
    @Bean("spiffe")
    @ConditionalOnMissingBean(name = "spiffe")
    ReactiveSpiffeExpressions spiffe() {
        return new ReactiveSpiffeExpressions();
    }

    /** Lets {@code @AllowedCallers} (a templated {@code @PreAuthorize}) pass its patterns. */
    @Bean
    @ConditionalOnMissingBean
    static AnnotationTemplateExpressionDefaults spiffeAnnotationTemplateDefaults() {
        return new AnnotationTemplateExpressionDefaults();
    }

    /** Callers authenticate with certificates: no generated password user. */
    @Bean
    @ConditionalOnMissingBean(ReactiveUserDetailsService.class)
    MapReactiveUserDetailsService spiffeNoPasswordUsers() {
        return new MapReactiveUserDetailsService(Map.of());
    }

    /** As on servlet applications (see {@link SpiffeSecurityAutoConfiguration}): decisions are counted instead. */
    @Bean
    @ConditionalOnMissingBean
    SecurityObservationSettings spiffeSecurityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * With a separate management port ({@code management.server.port}, plain HTTP), health, info and
     * Prometheus there are open to callers without certificates (kubelet probes, scrapers); the rest of that
     * port is closed. The application port stays SPIFFE-only.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest")
    @ConditionalOnProperty(prefix = "management.server", name = "port")
    static class ManagementPort {

        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        @ConditionalOnMissingBean
        ManagementPortSecurityWebFilterChain spiffeManagementPortSecurityWebFilterChain(ServerHttpSecurity http,
                Environment environment) {
            SpiffeServerErrorResponses errors = new SpiffeServerErrorResponses();
            return new ManagementPortSecurityWebFilterChain(http
                .securityMatcher(new ManagementPortExchangeMatcher(environment))
                .authorizeExchange(exchanges -> exchanges.matchers(EndpointRequest.to("health", "info", "prometheus"))
                    .permitAll()
                    .anyExchange()
                    .denyAll())
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .csrf(csrf -> csrf.disable())
                .logout(logout -> logout.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(errors).accessDeniedHandler(errors))
                .build());
        }
    }
}
