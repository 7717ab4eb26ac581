package io.github.spiffeboot.autoconfigure;

import java.util.List;
import java.util.function.Predicate;

import io.github.spiffeboot.reactive.SpiffeNettyServerCustomizer;
import io.github.spiffeboot.server.ProtectedWebServers;
import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Fails startup on a web server the starter cannot protect, under the same conditions as those in which
 * it would protect one ({@code spiffe.server.enabled}, no {@code server.ssl.*}): a server the starter does
 * not know would otherwise serve without SPIFFE mTLS and without the {@code spiffe.authz} rules.
 */
@AutoConfiguration(after = SpiffeAutoConfiguration.class)
@ConditionalOnWebApplication
@ConditionalOnClass(WebServerFactoryCustomizer.class)
@ConditionalOnProperty(prefix = "spiffe.server", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(X509ContextSource.class)
@Conditional(OnNoServerSslCondition.class)
public class SpiffeWebServerCheckAutoConfiguration {

    /** Servlet applications on Tomcat: mTLS from {@link SpiffeServerAutoConfiguration}. */
    static final String TOMCAT_SERVLET = "org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory";

    @Bean
    ProtectedWebServers spiffeProtectedWebServers(ObjectProvider<ReactiveProtection> reactive) {
        List<Predicate<WebServerFactory>> protections = new java.util.ArrayList<>();
        protections.add(ProtectedWebServers.byClassName(TOMCAT_SERVLET));
        reactive.ifAvailable(protection -> protections.add(protection.predicate()));
        return new ProtectedWebServers(protections);
    }

    /** A reactive server protection, present with the libraries it needs. */
    record ReactiveProtection(Predicate<WebServerFactory> predicate) {
    }

    /** WebFlux on Reactor Netty: protected when the factory carries the SPIFFE customizer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ NettyReactiveWebServerFactory.class, SpiffeNettyServerCustomizer.class })
    static class Netty {

        @Bean
        ReactiveProtection spiffeNettyProtection() {
            return new ReactiveProtection(SpiffeNettyServerCustomizer::protects);
        }
    }
}
