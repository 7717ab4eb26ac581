package io.github.spiffeboot.reactive;

import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;

/**
 * SPIFFE authentication (and, unless {@link #authenticationOnly}, the {@code spiffe.authz} policy) in an
 * application's own reactive {@code SecurityWebFilterChain}, as {@code SpiffeHttpConfigurer} does for
 * servlet chains. A bean; inject it where the chain is built:
 *
 * <pre>{@code
 * @Bean
 * SecurityWebFilterChain api(ServerHttpSecurity http, SpiffeServerHttpConfigurer spiffe) {
 *     return spiffe.authenticationOnly(http)
 *         .authorizeExchange(exchanges -> exchanges
 *             .pathMatchers("/admin/**").hasAuthority("SPIFFE_ID:spiffe://example.org/ns/ops/sa/admin")
 *             .anyExchange().hasAuthority("SPIFFE_TRUST_DOMAIN:example.org"))
 *         .build();
 * }
 * }</pre>
 *
 * It makes the chain stateless: no security context is loaded from or saved to a {@code WebSession}, no
 * request is saved for a replay after a login that never comes, CSRF protection (whose token lives in a
 * session) and logout are off, and so are HTTP Basic and form login: callers authenticate with their
 * certificate on every exchange, and a cookie must never stand in for one. Refused exchanges get small JSON
 * bodies. Settings an application makes afterwards win, as usual in the DSL.
 */
public final class SpiffeServerHttpConfigurer {

    private final SpiffeAuthenticationWebFilter authentication;

    private final SpiffeReactiveAuthorizationManager authorization;

    private final SpiffeServerErrorResponses errors;

    public SpiffeServerHttpConfigurer(SpiffeAuthenticationWebFilter authentication,
            SpiffeReactiveAuthorizationManager authorization, SpiffeServerErrorResponses errors) {
        this.authentication = authentication;
        this.authorization = authorization;
        this.errors = errors;
    }

    /** SPIFFE authentication, and every exchange decided by the {@code spiffe.authz} policy. */
    public ServerHttpSecurity spiffe(ServerHttpSecurity http) {
        return authenticationOnly(http).authorizeExchange(exchanges -> exchanges.anyExchange().access(authorization));
    }

    /** SPIFFE authentication; {@code authorizeExchange} is left to the application. */
    public ServerHttpSecurity authenticationOnly(ServerHttpSecurity http) {
        return http.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
            .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
            .csrf(csrf -> csrf.disable())
            .logout(logout -> logout.disable())
            .httpBasic(basic -> basic.disable())
            .formLogin(form -> form.disable())
            .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(errors).accessDeniedHandler(errors))
            .addFilterAt(authentication, SecurityWebFiltersOrder.AUTHENTICATION);
    }
}
