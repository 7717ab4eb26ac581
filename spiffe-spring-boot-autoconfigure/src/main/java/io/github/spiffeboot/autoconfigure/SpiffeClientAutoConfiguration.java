package io.github.spiffeboot.autoconfigure;


import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.client.NamedServers;
import io.github.spiffeboot.client.SpiffeClientTls;
import io.github.spiffeboot.client.SpiffeRestClients;
import io.github.spiffeboot.client.SpiffeRestTemplates;
import io.github.spiffeboot.client.SpiffeWebClients;
import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.engine.TlsEngines;
import io.github.spiffeboot.jwt.JwtSvids;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;

/**
 * Outgoing calls with the SVID: the auto-configured {@code RestClient.Builder}, {@code RestTemplateBuilder}
 * and {@code WebClient.Builder} present it and accept servers by SPIFFE ID ({@code spiffe.client.*});
 * {@link SpiffeRestClients} and {@link SpiffeWebClients} set the expected server per client.
 */
@AutoConfiguration(after = SpiffeAutoConfiguration.class,
        beforeName = { "org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration",
                "org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration",
                "org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration" })
@ConditionalOnClass(JdkClientHttpRequestFactory.class)
@ConditionalOnBean(X509ContextSource.class)
@ConditionalOnProperty(prefix = "spiffe.client", name = "enabled", havingValue = "true", matchIfMissing = true)
public class SpiffeClientAutoConfiguration {

    /** The servers clients accept unless told otherwise. */
    @Bean
    @ConditionalOnMissingBean(name = "spiffeDefaultServerAuthorizer")
    PeerAuthorizer spiffeDefaultServerAuthorizer(SpiffeProperties properties, X509ContextSource source) {
        return properties.getClient().getExpectedServerIds().isEmpty() ? PeerAuthorizer.sameTrustDomain(source)
                : PeerAuthorizer.matching(CallerSet.parse(properties.getClient().getExpectedServerIds()));
    }

    @Bean
    @ConditionalOnMissingBean
    SpiffeClientTls spiffeClientTls(X509ContextSource source, SpiffeKeyManager keyManager,
            SpiffeProperties properties) {
        return new SpiffeClientTls(source, keyManager, properties.getClient().getConnectTimeout(),
                properties.getClient().getReadTimeout());
    }

    /** spiffe.client.servers, one list for RestClient, RestTemplate, WebClient and gRPC channels. */
    @Bean
    @ConditionalOnMissingBean
    NamedServers spiffeNamedServers(SpiffeProperties properties, ObjectProvider<JwtSvids> jwtSvids) {
        return SpiffeClientServers.of(properties.getClient(), jwtSvids.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    SpiffeRestClients spiffeRestClients(SpiffeClientTls tls, NamedServers servers) {
        return new SpiffeRestClients(tls, servers);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RestClientCustomizer.class)
    static class RestClients {

        @Bean
        RestClientCustomizer spiffeRestClientCustomizer(SpiffeClientTls tls,
                PeerAuthorizer spiffeDefaultServerAuthorizer) {
            return builder -> builder.requestFactory(tls.requestFactory(spiffeDefaultServerAuthorizer));
        }

        @Bean
        @ConditionalOnMissingBean
        SpiffeRestTemplates spiffeRestTemplates(SpiffeRestClients clients) {
            return new SpiffeRestTemplates(clients);
        }

        /**
         * The SPIFFE request factory as the builder's default, not as a {@code RestTemplateCustomizer}:
         * customizers run last in {@code build()}, and would replace whatever factory the application (or
         * {@link SpiffeRestTemplates#server}, with its own expected IDs) chose for that builder.
         */
        @Bean
        static BeanPostProcessor spiffeRestTemplateBuilderDefaults(ObjectProvider<SpiffeClientTls> tls,
                @Qualifier("spiffeDefaultServerAuthorizer") ObjectProvider<PeerAuthorizer> defaultServerAuthorizer) {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) {
                    if (bean instanceof RestTemplateBuilder builder) {
                        return builder.requestFactory(
                                () -> tls.getObject().requestFactory(defaultServerAuthorizer.getObject()));
                    }
                    return bean;
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ WebClientCustomizer.class, ReactorClientHttpConnector.class })
    static class WebClients {

        @Bean
        @ConditionalOnMissingBean
        SpiffeWebClients spiffeWebClients(X509ContextSource source, SpiffeKeyManager keyManager,
                NamedServers servers, SpiffeProperties properties) {
            TlsEngine engine = TlsEngines.resolve(properties.getClient().getTlsEngine(), "spiffe.client.tls-engine",
                    "WebClient");
            return new SpiffeWebClients(source, keyManager, engine, servers);
        }

        @Bean
        WebClientCustomizer spiffeWebClientCustomizer(SpiffeWebClients webClients,
                PeerAuthorizer spiffeDefaultServerAuthorizer) {
            return builder -> builder.clientConnector(webClients.connector(spiffeDefaultServerAuthorizer));
        }
    }
}
