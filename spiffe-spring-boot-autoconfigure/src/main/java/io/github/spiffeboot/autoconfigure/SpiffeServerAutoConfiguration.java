package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.server.SpiffeTomcatConnectorCustomizer;
import io.github.spiffeboot.server.TomcatTlsEngineGuard;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.X509SvidVerifier;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import org.apache.catalina.startup.Tomcat;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * mTLS on embedded Tomcat with the SVID: the connector serves the current SVID and verifies client
 * SVIDs against the bundle of their own trust domain. Backs off when the application configures
 * {@code server.ssl.*} or sets {@code spiffe.server.enabled=false}.
 */
@AutoConfiguration(after = SpiffeAutoConfiguration.class)
@ConditionalOnWebApplication
@ConditionalOnClass({ Tomcat.class, TomcatConnectorCustomizer.class })
@ConditionalOnProperty(prefix = "spiffe.server", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(X509ContextSource.class)
@Conditional(OnNoServerSslCondition.class)
public class SpiffeServerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SpiffeTomcatConnectorCustomizer spiffeTomcatConnectorCustomizer(X509ContextSource source,
            SpiffeKeyManager keyManager, SpiffeProperties properties,
            ObjectProvider<PeerRejectionListener> rejectionListeners) {
        // Any verified SVID may connect; which IDs may call what is decided per request.
        PeerRejectionListener listeners = rejection -> rejectionListeners.orderedStream()
            .forEach(listener -> listener.rejected(rejection));
        SpiffeTrustManager trustManager = new SpiffeTrustManager(source, new X509SvidVerifier(), PeerAuthorizer.any(),
                listeners);
        return new SpiffeTomcatConnectorCustomizer(keyManager, trustManager, properties.getServer().getClientAuth(),
                properties.getServer().getTlsVersions(), listeners);
    }

    @Bean
    TomcatTlsEngineGuard spiffeTomcatTlsEngineGuard(SpiffeProperties properties) {
        return new TomcatTlsEngineGuard(properties.getServer().getTlsEngine());
    }
}
