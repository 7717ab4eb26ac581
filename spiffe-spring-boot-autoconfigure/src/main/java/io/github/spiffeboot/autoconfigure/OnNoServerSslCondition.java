package io.github.spiffeboot.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when no {@code server.ssl.*} property is set anywhere (files, environment, arguments). */
class OnNoServerSslCondition extends SpringBootCondition {

    private static final ConfigurationPropertyName SERVER_SSL = ConfigurationPropertyName.of("server.ssl");

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(context.getEnvironment())) {
            if (source.containsDescendantOf(SERVER_SSL) == ConfigurationPropertyState.PRESENT) {
                return ConditionOutcome.noMatch("server.ssl.* is configured; the application manages TLS itself");
            }
        }
        return ConditionOutcome.match("no server.ssl.* property");
    }
}
