package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.observability.AuthorizationAuditLog;
import io.github.spiffeboot.security.SpiffeAuthorities;
import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.GrantedAuthority;

/**
 * What every transport decides with, declared once: the compiled {@code spiffe.authz} policy, the authorities
 * a SPIFFE ID gets and the audit log. The servlet, reactive and gRPC auto-configurations each plug these into
 * their own stack; none declares its own copy.
 */
@AutoConfiguration(after = SpiffeAutoConfiguration.class)
@ConditionalOnClass(GrantedAuthority.class)
@ConditionalOnProperty(prefix = "spiffe", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnProperty(prefix = "spiffe.authz", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(X509ContextSource.class)
@EnableConfigurationProperties(SpiffeProperties.class)
public class SpiffeAuthorizationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AuthorizationPolicy spiffeAuthorizationPolicy(SpiffeProperties properties) {
        return properties.getAuthz().toPolicy();
    }

    @Bean
    @ConditionalOnMissingBean
    SpiffeAuthorities spiffeAuthorities(SpiffeProperties properties) {
        return new SpiffeAuthorities(properties.getAuthz().toRoles());
    }

    @Bean
    @ConditionalOnMissingBean
    AuthorizationAuditLog spiffeAuthorizationAuditLog(SpiffeProperties properties) {
        return new AuthorizationAuditLog(properties.getAuthz().isLogAllowed());
    }
}
