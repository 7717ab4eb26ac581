package io.github.spiffeboot.reactive;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.security.JwtSvidCallers;
import io.github.spiffeboot.security.SpiffeAuthentication;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.authorization.AuthorizationContext;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Decides exchanges with the {@link AuthorizationPolicy} ({@code spiffe.authz.allowed-callers}), the same
 * plain-Java policy servlet applications use. The path is read as WebFlux's handler mappings read it (see
 * {@link WebFluxPaths}), then normalised, so any spelling that reaches a handler meets its rule. Exchanges
 * without a SPIFFE identity are denied and answered 401. Each decision goes to the listeners (audit log,
 * metrics) and is kept on the exchange for the 403 body.
 */
public final class SpiffeReactiveAuthorizationManager implements ReactiveAuthorizationManager<AuthorizationContext> {

    /** Exchange attribute holding the {@link AuthorizationDecision}, for error responses. */
    public static final String DECISION_ATTRIBUTE = SpiffeReactiveAuthorizationManager.class.getName() + ".decision";

    private static final org.springframework.security.authorization.AuthorizationDecision GRANTED =
            new org.springframework.security.authorization.AuthorizationDecision(true);

    private static final org.springframework.security.authorization.AuthorizationDecision DENIED =
            new org.springframework.security.authorization.AuthorizationDecision(false);

    private final AuthorizationPolicy policy;

    private final List<AuthorizationDecisionListener> listeners;

    public SpiffeReactiveAuthorizationManager(AuthorizationPolicy policy, List<AuthorizationDecisionListener> listeners) {
        this.policy = policy;
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public Mono<AuthorizationResult> authorize(Mono<Authentication> authentication, AuthorizationContext context) {
        return authentication.map(Optional::of)
            .defaultIfEmpty(Optional.empty())
            .map(caller -> decide(caller.orElse(null), context));
    }

    private AuthorizationResult decide(Authentication authenticated, AuthorizationContext context) {
        ServerWebExchange exchange = context.getExchange();
        ServerHttpRequest request = exchange.getRequest();
        SpiffeId caller = (authenticated instanceof SpiffeAuthentication spiffe) ? spiffe.getPrincipal() : null;
        String method = request.getMethod().name().toUpperCase(Locale.ROOT);
        AuthorizationDecision decision = policy.decide(caller, method, request.getPath().value(),
                WebFluxPaths.of(request.getPath()));
        decision = JwtSvidCallers.recorded(decision, authenticated,
                exchange.getAttribute(JwtSvidCallers.REJECTION_ATTRIBUTE));
        exchange.getAttributes().put(DECISION_ATTRIBUTE, decision);
        for (AuthorizationDecisionListener listener : listeners) {
            listener.onDecision(decision);
        }
        return decision.permitted() ? GRANTED : DENIED;
    }
}
