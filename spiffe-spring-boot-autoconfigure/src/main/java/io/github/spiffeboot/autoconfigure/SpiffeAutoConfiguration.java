package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.source.SourceLifecycle;
import io.github.spiffeboot.source.WorkloadApiX509Source;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.source.X509ContextUpdatedEvent;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The workload's identity: an {@link X509ContextSource} watching the Workload API, its updates
 * published as {@link X509ContextUpdatedEvent}s, and the key manager that presents it.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "spiffe", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SpiffeProperties.class)
public class SpiffeAutoConfiguration {

    /**
     * Connects to nothing here: the source resolves the socket and connects when the context starts, before
     * the web server (see {@link SourceLifecycle}), so a context refreshes without an agent (AOT processing,
     * a CDS training run).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(X509ContextSource.class)
    WorkloadApiX509Source spiffeX509ContextSource(SpiffeProperties properties, Environment environment) {
        SpiffeProperties.WorkloadApi workloadApi = properties.getWorkloadApi();
        return new WorkloadApiX509Source(() -> WorkloadApiSocketResolver.resolve(properties, environment),
                new WorkloadApiX509Source.Options(workloadApi.getStartupTimeout(), workloadApi.getInitialBackoff(),
                        workloadApi.getMaxBackoff()));
    }

    @Bean
    X509ContextEventBridge spiffeX509ContextEventBridge(X509ContextSource source, ApplicationEventPublisher publisher) {
        return new X509ContextEventBridge(source, publisher);
    }

    @Bean
    @ConditionalOnMissingBean
    SpiffeKeyManager spiffeKeyManager(X509ContextSource source) {
        return new SpiffeKeyManager(source);
    }
}
