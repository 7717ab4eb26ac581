package io.github.spiffeboot.autoconfigure;

import io.grpc.TlsServerCredentials.ClientAuth;
import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.grpc.GrpcBoringSsl;
import io.github.spiffeboot.grpc.GrpcServerTlsEngine;
import io.github.spiffeboot.grpc.GrpcTlsVersionInterceptor;
import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.grpc.server.GlobalServerInterceptor;

/**
 * Boot's gRPC server serves mTLS on the SVID: unless the application configures its gRPC server's TLS
 * itself, {@code spring.grpc.server.ssl.bundle} is the {@code spiffe} bundle and
 * {@code spring.grpc.server.ssl.client-auth} is {@code require}. Boot's server builds its TLS from that
 * bundle's key and trust managers, which read the current SVID and bundles at every handshake: rotation needs
 * no restart, and connections open before it go on. No second TLS set-up: the peer rules are the bundle's.
 * Boot offers no setting for that server's TLS versions, so {@code spiffe.server.tls-versions} is enforced per
 * call ({@link GrpcTlsVersionInterceptor}). Which TLS engine the server handshakes with is checked against
 * {@code spiffe.grpc.server.tls-engine} and logged ({@link GrpcServerTlsEngine}) whenever it serves TLS;
 * {@code jdk} was switched on before any bean existed, by {@link SpiffeGrpcServerEngineSwitch}.
 */
@AutoConfiguration(after = { SpiffeAutoConfiguration.class, SpiffeSslBundleAutoConfiguration.class },
        beforeName = "org.springframework.boot.grpc.server.autoconfigure.GrpcServerAutoConfiguration")
@ConditionalOnClass(GrpcServerProperties.class)
@ConditionalOnBean(X509ContextSource.class)
@ConditionalOnProperty(prefix = "spiffe.grpc", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(prefix = "spiffe.ssl-bundle", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SpiffeProperties.class)
public class SpiffeGrpcServerTlsAutoConfiguration {

    static final String SSL = "spring.grpc.server.ssl.";

    /** First of all interceptors: the connection's TLS version, before any caller is looked at. */
    static final int TLS_VERSION_ORDER = Ordered.HIGHEST_PRECEDENCE;

    /**
     * Defaults applied to the bound properties, not as a property source: they give way to whatever the
     * application sets, from any source (SpringApplication default properties included), and only then.
     */
    @Bean
    static BeanPostProcessor spiffeGrpcServerSslDefaults(Environment environment,
            ObjectProvider<SpiffeProperties> spiffe) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof GrpcServerProperties properties) {
                    GrpcServerProperties.Ssl ssl = properties.getSsl();
                    if (StarterOwnsGrpcServerTls.owns(environment)) {
                        ssl.setBundle(environment.getProperty("spiffe.ssl-bundle.name", "spiffe"));
                        if (!environment.containsProperty(SSL + "client-auth")) {
                            ssl.setClientAuth(ClientAuth.REQUIRE);
                        }
                    }
                    // Before the server starts, or fails to. Also where the application set up the server's TLS
                    // itself: the engine is gRPC's choice either way.
                    GrpcServerTlsEngine.checkServer(ssl.getBundle() != null && !Boolean.FALSE.equals(ssl.getEnabled()),
                            spiffe.getObject().getGrpc().getServer().getTlsEngine(), GrpcBoringSsl.shaded());
                }
                return bean;
            }
        };
    }

    @Bean
    @GlobalServerInterceptor
    @Order(TLS_VERSION_ORDER)
    @ConditionalOnMissingBean
    @Conditional(StarterOwnsGrpcServerTls.class)
    GrpcTlsVersionInterceptor spiffeGrpcTlsVersionInterceptor(SpiffeProperties properties,
            ObjectProvider<AuthorizationDecisionListener> listeners) {
        return new GrpcTlsVersionInterceptor(properties.getServer().getTlsVersions(),
                listeners.orderedStream().toList());
    }

    /** The application leaves its gRPC server's TLS to the starter: it sets neither its bundle nor its switch. */
    static class StarterOwnsGrpcServerTls extends SpringBootCondition {

        static boolean owns(Environment environment) {
            return !environment.containsProperty(SSL + "bundle") && !environment.containsProperty(SSL + "enabled");
        }

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return owns(context.getEnvironment())
                    ? ConditionOutcome.match("the starter configures the gRPC server's TLS")
                    : ConditionOutcome.noMatch("the application configures " + SSL + "bundle or " + SSL + "enabled");
        }
    }
}
