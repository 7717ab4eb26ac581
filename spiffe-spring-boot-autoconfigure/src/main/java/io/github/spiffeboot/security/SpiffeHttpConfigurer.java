package io.github.spiffeboot.security;

import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.util.ClassUtils;

/**
 * SPIFFE authentication (and, unless {@link #authenticationOnly()}, the {@code spiffe.authz} policy) in an
 * application's own {@code SecurityFilterChain}:
 *
 * <pre>{@code
 * @Bean
 * SecurityFilterChain api(HttpSecurity http) throws Exception {
 *     return http.with(SpiffeHttpConfigurer.spiffe(), Customizer.withDefaults()).build();
 * }
 *
 * @Bean
 * SecurityFilterChain custom(HttpSecurity http) throws Exception {
 *     return http.with(SpiffeHttpConfigurer.spiffe().authenticationOnly(), Customizer.withDefaults())
 *         .authorizeHttpRequests(requests -> requests
 *             .requestMatchers("/admin/**").hasAuthority("SPIFFE_ID:spiffe://example.org/ns/ops/sa/admin")
 *             .anyRequest().hasAuthority("SPIFFE_TRUST_DOMAIN:example.org"))
 *         .build();
 * }
 * }</pre>
 *
 * It makes the chain stateless: no HTTP session, no saved request, no session-backed security context
 * (callers authenticate with their certificate on every request, so nothing about them is worth keeping
 * between requests, and a cookie must never stand in for a certificate). It turns CSRF protection and
 * logout off (there is no cookie to forge or session to end) and answers refused requests with small JSON
 * bodies. Where the application accepts JWT-SVIDs ({@code spiffe.jwt.trusted-proxies} or {@code jwt-only}),
 * the same filter takes the caller from the forwarded token as {@link JwtSvidCallers} decides. Settings an application makes after applying the configurer win, as usual in the DSL.
 */
public final class SpiffeHttpConfigurer extends AbstractHttpConfigurer<SpiffeHttpConfigurer, HttpSecurity> {

    private static final String JWT_DECODER = "org.springframework.security.oauth2.jwt.JwtDecoder";

    private boolean authorize = true;

    private SpiffeHttpConfigurer() {
    }

    public static SpiffeHttpConfigurer spiffe() {
        return new SpiffeHttpConfigurer();
    }

    /** Authenticates callers, but leaves {@code authorizeHttpRequests} to the application. */
    public SpiffeHttpConfigurer authenticationOnly() {
        this.authorize = false;
        return this;
    }

    /**
     * Statelessness is settled here, when the configurer is applied, because Spring Security's own
     * configurers decide at their {@code init} (which runs before this configurer's) which security context
     * repository and request cache the chain uses. The policy goes in as the chain's default (a shared
     * object) rather than through {@code sessionManagement().sessionCreationPolicy(..)}: the explicit call
     * would also add a {@code SessionManagementFilter} that does work on every request.
     */
    @Override
    public void setBuilder(HttpSecurity http) {
        super.setBuilder(http);
        http.setSharedObject(SessionCreationPolicy.class, SessionCreationPolicy.STATELESS);
        http.csrf(csrf -> csrf.disable());
        http.logout(logout -> logout.disable());
        // No request is saved for a replay after a login that never comes (it would open a session).
        http.requestCache(cache -> cache.disable());
    }

    @Override
    public void init(HttpSecurity http) {
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        SpiffeErrorResponses errors = context.getBean(SpiffeErrorResponses.class);
        http.exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(errors).accessDeniedHandler(errors));
        if (authorize) {
            SpiffeAuthorizationManager manager = context.getBean(SpiffeAuthorizationManager.class);
            http.authorizeHttpRequests(requests -> requests.anyRequest().access(manager));
        }
    }

    @Override
    public void configure(HttpSecurity http) {
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        http.addFilterBefore(new SpiffeAuthenticationFilter(context.getBean(SpiffeAuthorities.class),
                context.getBean(X509ContextSource.class), jwtSvidCallers(context)), AnonymousAuthenticationFilter.class);
    }

    /**
     * The JWT-SVID policy, where the application accepts JWT-SVIDs. Spring Security's JOSE support is
     * optional: without it, {@link JwtSvidCallers} is never touched.
     */
    private static JwtSvidCallers jwtSvidCallers(ApplicationContext context) {
        if (!ClassUtils.isPresent(JWT_DECODER, context.getClassLoader())) {
            return null;
        }
        return context.getBeanProvider(JwtSvidCallers.class).getIfAvailable();
    }
}
