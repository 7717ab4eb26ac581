package io.github.spiffeboot.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when an incoming JWT-SVID can ever name the caller: {@code spiffe.jwt.jwt-only}, or at least one
 * {@code spiffe.jwt.trusted-proxies} entry (in any of the forms a list can be bound from).
 */
class OnAcceptingJwtSvidsCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        SpiffeJwtProperties jwt = Binder.get(context.getEnvironment())
            .bind("spiffe.jwt", SpiffeJwtProperties.class)
            .orElseGet(SpiffeJwtProperties::new);
        return jwt.acceptsTokens() ? ConditionOutcome.match("spiffe.jwt accepts JWT-SVIDs")
                : ConditionOutcome.noMatch("spiffe.jwt names no trusted proxy and is not jwt-only");
    }
}
