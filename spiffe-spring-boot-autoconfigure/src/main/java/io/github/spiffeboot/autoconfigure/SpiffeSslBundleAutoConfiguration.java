package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.bundle.BundleTrustManagers;
import io.github.spiffeboot.bundle.SpiffeSslBundleRegistrar;
import io.github.spiffeboot.server.TomcatSslBundleGuard;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The SVID as the Boot SSL bundle {@code spiffe.ssl-bundle.name} ({@code spiffe}), kept up to date on every
 * rotation and bundle change, and a guard that stops Tomcat from serving a snapshot of it.
 */
@AutoConfiguration(after = SpiffeAutoConfiguration.class)
@ConditionalOnClass(SslBundleRegistrar.class)
@ConditionalOnBean(X509ContextSource.class)
@ConditionalOnProperty(prefix = "spiffe.ssl-bundle", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SpiffeSslBundleProperties.class)
public class SpiffeSslBundleAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SpiffeSslBundleRegistrar spiffeSslBundleRegistrar(SpiffeSslBundleProperties properties, X509ContextSource source,
            SpiffeKeyManager keyManager, ObjectProvider<PeerRejectionListener> rejectionListeners) {
        PeerAuthorizer expectedPeer = properties.getExpectedPeerIds().isEmpty() ? PeerAuthorizer.sameTrustDomain(source)
                : PeerAuthorizer.matching(CallerSet.parse(properties.getExpectedPeerIds()));
        PeerRejectionListener listeners = rejection -> rejectionListeners.orderedStream()
            .forEach(listener -> listener.rejected(rejection));
        return new SpiffeSslBundleRegistrar(properties.getName(), source, keyManager,
                BundleTrustManagers.create(source, expectedPeer, properties.getPeerVerification(), listeners));
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication
    @ConditionalOnClass(name = "org.springframework.boot.tomcat.TomcatWebServerFactory")
    static class TomcatGuard {

        @Bean
        TomcatSslBundleGuard spiffeTomcatSslBundleGuard(SpiffeSslBundleRegistrar registrar) {
            return new TomcatSslBundleGuard(registrar.bundleName());
        }
    }
}
