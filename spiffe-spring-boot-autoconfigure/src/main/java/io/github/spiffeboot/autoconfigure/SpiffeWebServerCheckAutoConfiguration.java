package io.github.spiffeboot.autoconfigure;

import java.util.List;

import io.github.spiffeboot.server.ProtectedWebServers;
import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

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
    ProtectedWebServers spiffeProtectedWebServers() {
        return new ProtectedWebServers(List.of(TOMCAT_SERVLET));
    }
}
