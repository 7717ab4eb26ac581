package io.github.spiffeboot.autoconfigure;


import io.github.spiffeboot.client.NamedServers;
import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.engine.TlsEngines;
import io.github.spiffeboot.grpc.GrpcBoringSsl;
import io.github.spiffeboot.grpc.SpiffeChannelCredentials;
import io.github.spiffeboot.jwt.JwtSvids;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.client.ChannelCredentialsProvider;

/**
 * gRPC clients on SPIFFE identities: channels from Boot's {@code GrpcChannelFactory} whose name is a server
 * in {@code spiffe.client.servers.<name>} (the same entries as for HTTP: {@code ids}; the address stays in
 * {@code spring.grpc.client.channel.<name>.target}) get mTLS with the SVID and the server's SPIFFE ID checked
 * (see {@link SpiffeChannelCredentials}), and the JWT-SVID of its {@code jwt-audience} on every call (with
 * {@code client-svid: false}, instead of the SVID); every other channel keeps Boot's credentials.
 */
@AutoConfiguration(after = SpiffeAutoConfiguration.class)
@ConditionalOnClass({ ChannelCredentialsProvider.class, io.grpc.TlsChannelCredentials.class })
@ConditionalOnBean(X509ContextSource.class)
@ConditionalOnProperty(prefix = "spiffe.grpc", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(prefix = "spiffe.client", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SpiffeProperties.class)
public class SpiffeGrpcClientAutoConfiguration {

    /** Wraps Boot's provider (whichever it is), so that unnamed channels keep exactly what Boot gives them. */
    @Bean
    static BeanPostProcessor spiffeGrpcChannelCredentials(ObjectProvider<SpiffeProperties> properties,
            ObjectProvider<X509ContextSource> source, ObjectProvider<SpiffeKeyManager> keyManager,
            ObjectProvider<JwtSvids> jwtSvids, ObjectProvider<NamedServers> namedServers) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (!(bean instanceof ChannelCredentialsProvider provider)
                        || bean instanceof SpiffeChannelCredentials) {
                    return bean;
                }
                TlsEngine engine = TlsEngines.resolve(properties.getObject().getGrpc().getClient().getTlsEngine(),
                        "spiffe.grpc.client.tls-engine", "Each gRPC channel named in spiffe.client.servers",
                        GrpcBoringSsl.shaded());
                // The HTTP clients' list where there is one, so that a name means the same server to both.
                NamedServers servers = namedServers.getIfAvailable(
                        () -> SpiffeClientServers.of(properties.getObject().getClient(), jwtSvids.getIfAvailable()));
                return new SpiffeChannelCredentials(source.getObject(), keyManager.getObject(), servers, provider,
                        engine);
            }
        };
    }
}
