package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.engine.TlsEngines;
import io.github.spiffeboot.reactive.SpiffeNettyServerCustomizer;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.X509SvidVerifier;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import reactor.netty.http.server.HttpServer;

/**
 * mTLS on the Reactor Netty server of a WebFlux application with the SVID, as
 * {@link SpiffeServerAutoConfiguration} does for Tomcat, and under the same conditions.
 */
@AutoConfiguration(after = SpiffeAutoConfiguration.class)
@ConditionalOnWebApplication(type = Type.REACTIVE)
@ConditionalOnClass({ NettyReactiveWebServerFactory.class, HttpServer.class })
@ConditionalOnProperty(prefix = "spiffe.server", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(X509ContextSource.class)
@Conditional(OnNoServerSslCondition.class)
public class SpiffeReactiveServerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SpiffeNettyServerCustomizer spiffeNettyServerCustomizer(X509ContextSource source, SpiffeKeyManager keyManager,
            SpiffeProperties properties, ObjectProvider<PeerRejectionListener> rejectionListeners) {
        // Any verified SVID may connect; which IDs may call what is decided per request.
        PeerRejectionListener listeners = rejection -> rejectionListeners.orderedStream()
            .forEach(listener -> listener.rejected(rejection));
        SpiffeTrustManager trustManager = new SpiffeTrustManager(source, new X509SvidVerifier(), PeerAuthorizer.any(),
                listeners);
        TlsEngine engine = TlsEngines.resolve(properties.getServer().getTlsEngine(), "spiffe.server.tls-engine",
                "The Reactor Netty server");
        return new SpiffeNettyServerCustomizer(keyManager, trustManager, properties.getServer().getClientAuth(),
                properties.getServer().getTlsVersions(), engine, listeners);
    }
}
