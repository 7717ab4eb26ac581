package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.grpc.SpiffeGrpcAuthorizationInterceptor;
import io.github.spiffeboot.security.JwtSvidCallers;
import io.github.spiffeboot.security.SpiffeAuthorities;
import io.github.spiffeboot.security.SpiffeExpressions;
import io.github.spiffeboot.security.X509CallerAuthenticator;
import io.github.spiffeboot.source.X509ContextSource;
import io.grpc.BindableService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.security.core.annotation.AnnotationTemplateExpressionDefaults;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * gRPC services on SPIFFE identities: the interceptor that authenticates and authorizes every call with
 * {@code spiffe.authz} (sharing the policy, authorities and audit log with the HTTP side when there is
 * one). The server's TLS is Boot's own, on the {@code spiffe} SSL bundle (see
 * {@link SpiffeGrpcDefaultProperties}).
 */
@AutoConfiguration(after = { SpiffeAutoConfiguration.class, SpiffeAuthorizationAutoConfiguration.class,
        SpiffeSecurityAutoConfiguration.class, SpiffeReactiveSecurityAutoConfiguration.class,
        SpiffeJwtAutoConfiguration.class },
        beforeName = "org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration")
@ConditionalOnClass({ BindableService.class, GlobalServerInterceptor.class, SecurityContextHolder.class })
@ConditionalOnBean(X509ContextSource.class)
@ConditionalOnProperty(prefix = "spiffe.grpc", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(prefix = "spiffe.authz", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SpiffeProperties.class)
public class SpiffeGrpcServerAutoConfiguration {

    /** {@code @spiffe} for {@code @PreAuthorize} on service methods, in applications without a servlet side. */
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
     * Before all of the application's interceptors: nothing of the application's runs for a call that is not
     * allowed. Only the TLS-version check comes earlier ({@link SpiffeGrpcServerTlsAutoConfiguration}).
     */
    @Bean
    @GlobalServerInterceptor
    @Order(SpiffeGrpcServerTlsAutoConfiguration.TLS_VERSION_ORDER + 1)
    @ConditionalOnMissingBean
    SpiffeGrpcAuthorizationInterceptor spiffeGrpcAuthorizationInterceptor(SpiffeAuthorities authorities,
            X509ContextSource source, AuthorizationPolicy policy,
            ObjectProvider<AuthorizationDecisionListener> listeners, ObjectProvider<JwtSvidCallers> jwtSvidCallers) {
        return new SpiffeGrpcAuthorizationInterceptor(new X509CallerAuthenticator(authorities, source),
                jwtSvidCallers.getIfAvailable(), policy, listeners.orderedStream().toList());
    }
}
