package io.github.spiffeboot.autoconfigure;

import java.time.Clock;
import java.util.LinkedHashSet;

import io.github.spiffeboot.jwt.JwtBundleSource;
import io.github.spiffeboot.observability.JwtMetrics;
import io.github.spiffeboot.observability.SpiffeHealthIndicator;
import io.github.spiffeboot.observability.SpiffeJwtHealthIndicator;
import io.github.spiffeboot.observability.SpiffeMetrics;
import io.github.spiffeboot.observability.SvidHealth;
import io.github.spiffeboot.observability.SvidReadinessUpdater;
import io.github.spiffeboot.source.X509ContextSource;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Metrics (with Micrometer), the {@code spiffe} health indicator and readiness that follows the SVID
 * (with Spring Boot's health support); with JWT-SVIDs enabled, their meters and the {@code spiffeJwt} health.
 */
@AutoConfiguration(after = { SpiffeAutoConfiguration.class, SpiffeJwtAutoConfiguration.class })
@ConditionalOnBean(X509ContextSource.class)
public class SpiffeObservabilityAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        SpiffeMetrics spiffeMetrics(X509ContextSource source, SpiffeProperties properties) {
            return new SpiffeMetrics(source, Clock.systemUTC(),
                    new LinkedHashSet<>(properties.getMetrics().getCallerIds()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    @ConditionalOnBean(JwtBundleSource.class)
    static class JwtMeters {

        @Bean
        @ConditionalOnMissingBean
        JwtMetrics spiffeJwtMetrics(JwtBundleSource source) {
            return new JwtMetrics(source, Clock.systemUTC());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(AbstractHealthIndicator.class)
    @ConditionalOnBean(JwtBundleSource.class)
    static class JwtHealth {

        @Bean
        @ConditionalOnMissingBean(name = "spiffeJwtHealthIndicator")
        SpiffeJwtHealthIndicator spiffeJwtHealthIndicator(JwtBundleSource source) {
            return new SpiffeJwtHealthIndicator(source, Clock.systemUTC());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(AbstractHealthIndicator.class)
    static class Health {

        @Bean
        @ConditionalOnMissingBean(name = "spiffeHealthIndicator")
        SpiffeHealthIndicator spiffeHealthIndicator(X509ContextSource source, SpiffeProperties properties) {
            return new SpiffeHealthIndicator(source, new SvidHealth(properties.getHealth().getWarningFraction()),
                    Clock.systemUTC());
        }

        @Bean
        @ConditionalOnProperty(prefix = "spiffe.health", name = "readiness", havingValue = "true",
                matchIfMissing = true)
        SvidReadinessUpdater spiffeReadinessUpdater(SpiffeHealthIndicator spiffeHealthIndicator,
                ApplicationEventPublisher publisher) {
            return new SvidReadinessUpdater(spiffeHealthIndicator, publisher, 1000);
        }
    }
}
