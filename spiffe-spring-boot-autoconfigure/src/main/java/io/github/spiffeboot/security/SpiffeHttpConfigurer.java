package io.github.spiffeboot.security;

import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

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
 * It makes the chain stateless, turns CSRF protection off (callers authenticate with certificates, not
 * cookies) and answers refused requests with small JSON bodies.
 */
public final class SpiffeHttpConfigurer extends AbstractHttpConfigurer<SpiffeHttpConfigurer, HttpSecurity> {

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

    @Override
    public void init(HttpSecurity http) {
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        SpiffeErrorResponses errors = context.getBean(SpiffeErrorResponses.class);
        http.csrf(csrf -> csrf.disable())
            .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(errors).accessDeniedHandler(errors));
        if (authorize) {
            SpiffeAuthorizationManager manager = context.getBean(SpiffeAuthorizationManager.class);
            http.authorizeHttpRequests(requests -> requests.anyRequest().access(manager));
        }
    }

    @Override
    public void configure(HttpSecurity http) {
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        http.addFilterBefore(new SpiffeAuthenticationFilter(context.getBean(SpiffeAuthorities.class),
                context.getBean(X509ContextSource.class)), AnonymousAuthenticationFilter.class);
    }
}
