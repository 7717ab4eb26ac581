package io.github.spiffeboot.autoconfigure;

import java.time.Clock;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.jwt.JwtBundleSource;
import io.github.spiffeboot.jwt.JwtSvidFetcher;
import io.github.spiffeboot.jwt.JwtSvidValidator;
import io.github.spiffeboot.jwt.JwtSvids;
import io.github.spiffeboot.jwt.JwtValidationListener;
import io.github.spiffeboot.jwt.WorkloadApiJwtSource;
import io.github.spiffeboot.security.JwtSvidCallers;
import io.github.spiffeboot.security.SpiffeAuthorities;
import io.github.spiffeboot.source.WorkloadApiChannel;
import io.github.spiffeboot.source.WorkloadApiX509Source;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * JWT-SVIDs, when {@code spiffe.jwt.enabled}: the Workload API JWT source (started with the application
 * context, before the web server), the {@link JwtSvids} for outgoing calls, and, where a service accepts
 * JWT-SVIDs (trusted proxies or JWT-only) and Spring Security's JOSE support is present, the validator and
 * the {@link JwtSvidCallers} that the servlet and WebFlux chains and the gRPC interceptor consult.
 */
@AutoConfiguration(after = { SpiffeAutoConfiguration.class, SpiffeAuthorizationAutoConfiguration.class,
        SpiffeSecurityAutoConfiguration.class, SpiffeReactiveSecurityAutoConfiguration.class })
@ConditionalOnProperty(prefix = "spiffe", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(prefix = "spiffe.jwt", name = "enabled", havingValue = "true")
@EnableConfigurationProperties({ SpiffeProperties.class, SpiffeJwtProperties.class })
public class SpiffeJwtAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(JwtBundleSource.class)
    WorkloadApiJwtSource spiffeJwtSource(SpiffeProperties properties, SpiffeJwtProperties jwt,
            Environment environment) {
        SpiffeProperties.WorkloadApi workloadApi = properties.getWorkloadApi();
        // The socket is resolved when the source starts, never here (see SourceLifecycle).
        return new WorkloadApiJwtSource(() -> WorkloadApiSocketResolver.resolve(properties, environment),
                new WorkloadApiX509Source.Options(workloadApi.getStartupTimeout(), workloadApi.getInitialBackoff(),
                        workloadApi.getMaxBackoff()),
                jwt.getFetchTimeout(), Clock.systemUTC());
    }

    /**
     * Renewals run on one daemon thread that exists only while there is a renewal to run; a bundle change
     * that removes the key of a held token drops that token.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(JwtSvidFetcher.class)
    JwtSvids spiffeJwtSvids(JwtSvidFetcher fetcher, ObjectProvider<JwtBundleSource> bundles) {
        ThreadPoolExecutor renewals = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                WorkloadApiChannel.daemonThreads("spiffe-jwt-svid-renewal"));
        JwtSvids svids = new JwtSvids(fetcher, renewals, Clock.systemUTC());
        bundles.ifAvailable(source -> source.addListener(svids::forgetTokensOfRemovedKeys));
        return svids;
    }

    /**
     * A service configured to accept JWT-SVIDs, without the classes to check them, must not start as if it
     * did not (its gateway's callers would all be refused, silently).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("org.springframework.security.oauth2.jwt.JwtDecoder")
    @Conditional(OnAcceptingJwtSvidsCondition.class)
    static class InboundWithoutJose {

        InboundWithoutJose() {
            throw new IllegalStateException("spiffe.jwt.trusted-proxies or spiffe.jwt.jwt-only accept JWT-SVIDs, "
                    + "which are checked with Spring Security's JOSE support: add "
                    + "org.springframework.security:spring-security-oauth2-jose (the starter brings it)");
        }
    }

    /**
     * Incoming JWT-SVIDs, where a token can ever name the caller: one {@link JwtSvidCallers} that the servlet
     * filter, the WebFlux filter and the gRPC interceptor all consult.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JwtDecoder.class)
    @ConditionalOnBean(SpiffeAuthorities.class)
    @Conditional(OnAcceptingJwtSvidsCondition.class)
    static class Inbound {

        @Bean
        @ConditionalOnMissingBean
        JwtSvidValidator spiffeJwtSvidValidator(JwtBundleSource bundles, SpiffeJwtProperties jwt) {
            return new JwtSvidValidator(bundles, jwt.getAudiences(), jwt.getClockSkew(),
                    (int) jwt.getMaxTokenSize().toBytes(), Clock.systemUTC());
        }

        @Bean
        @ConditionalOnMissingBean
        JwtSvidCallers spiffeJwtSvidCallers(JwtSvidValidator validator, SpiffeJwtProperties jwt,
                SpiffeAuthorities authorities, ObjectProvider<JwtValidationListener> listeners) {
            return new JwtSvidCallers(validator, CallerSet.parse(jwt.getTrustedProxies()), jwt.isJwtOnly(),
                    authorities, listeners.orderedStream().toList(), (int) jwt.getMaxTokenSize().toBytes());
        }
    }
}
