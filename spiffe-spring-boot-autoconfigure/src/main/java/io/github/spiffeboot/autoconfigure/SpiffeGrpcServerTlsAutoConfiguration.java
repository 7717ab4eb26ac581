package io.github.spiffeboot.autoconfigure;

import io.grpc.TlsServerCredentials.ClientAuth;
import io.github.spiffeboot.grpc.GrpcBoringSsl;
import io.github.spiffeboot.grpc.GrpcServerTlsEngine;
import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Boot's gRPC server serves mTLS on the SVID: unless the application configures its gRPC server's TLS
 * itself, {@code spring.grpc.server.ssl.bundle} is the {@code spiffe} bundle and
 * {@code spring.grpc.server.ssl.client-auth} is {@code require}. Boot's server builds its TLS from that
 * bundle's key and trust managers, which read the current SVID and bundles at every handshake: rotation needs
 * no restart, and connections open before it go on. No second TLS set-up: the peer rules are the bundle's.
 * Which TLS engine that server handshakes with is checked against {@code spiffe.grpc.server.tls-engine} and
 * logged ({@link GrpcServerTlsEngine}); {@code jdk} was switched on before any bean existed, by
 * {@link SpiffeGrpcServerEngineSwitch}.
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
                    boolean configured = environment.containsProperty(SSL + "bundle")
                            || environment.containsProperty(SSL + "enabled");
                    if (!configured) {
                        ssl.setBundle(environment.getProperty("spiffe.ssl-bundle.name", "spiffe"));
                        if (!environment.containsProperty(SSL + "client-auth")) {
                            ssl.setClientAuth(ClientAuth.REQUIRE);
                        }
                        // Once, when the server's properties are bound: before it starts, or fails to.
                        GrpcServerTlsEngine.check(spiffe.getObject().getGrpc().getServer().getTlsEngine(),
                                GrpcBoringSsl.shaded());
                    }
                }
                return bean;
            }
        };
    }
}
