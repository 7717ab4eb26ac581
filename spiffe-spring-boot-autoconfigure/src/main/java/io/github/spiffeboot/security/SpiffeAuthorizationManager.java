package io.github.spiffeboot.security;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.AuthorizationDecision.Outcome;
import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.authz.NormalizedPath;
import io.github.spiffeboot.id.SpiffeId;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Decides requests with the {@link AuthorizationPolicy} ({@code spiffe.authz.allowed-callers}). The
 * path is read as Spring MVC's handler mappings read it (percent-decoded segments, path parameters
 * dropped, within the context path and the DispatcherServlet's servlet path; see
 * {@link HandlerMappingPaths}), then normalised, so any spelling that reaches a handler meets its rule,
 * written as the handler's mapping is. A path that cannot be read that way is denied. Requests without a
 * SPIFFE identity are denied and answered 401. Error dispatches (rendering the error of a request already
 * decided) are let through.
 */
public final class SpiffeAuthorizationManager implements AuthorizationManager<RequestAuthorizationContext> {

    /** Request attribute holding the {@link AuthorizationDecision}, for error responses. */
    public static final String DECISION_ATTRIBUTE = SpiffeAuthorizationManager.class.getName() + ".decision";

    private final AuthorizationPolicy policy;

    private final List<AuthorizationDecisionListener> listeners;

    private final HandlerMappingPaths paths = new HandlerMappingPaths();

    public SpiffeAuthorizationManager(AuthorizationPolicy policy, List<AuthorizationDecisionListener> listeners) {
        this.policy = policy;
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
            RequestAuthorizationContext context) {
        HttpServletRequest request = context.getRequest();
        if (request.getDispatcherType() == DispatcherType.ERROR) {
            // Rendering the error of a request that was already decided (or failed before a decision).
            return new org.springframework.security.authorization.AuthorizationDecision(true);
        }
        Authentication authenticated = authentication.get();
        SpiffeId caller = (authenticated instanceof SpiffeAuthentication spiffe) ? spiffe.getPrincipal() : null;
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        AuthorizationDecision decision;
        NormalizedPath path = pathOf(request);
        if (path == null) {
            // Spring MVC would fail on it too; no rule can be said to cover it (not even in dry run).
            decision = new AuthorizationDecision(caller, method, request.getRequestURI(),
                    AuthorizationPolicy.DEFAULT_RULE, Outcome.DENY, "the path cannot be read as Spring MVC reads it");
        }
        else {
            decision = policy.decide(caller, method, request.getRequestURI(), path);
        }
        decision = JwtSvidCallers.recorded(decision, authenticated,
                request.getAttribute(JwtSvidCallers.REJECTION_ATTRIBUTE));
        request.setAttribute(DECISION_ATTRIBUTE, decision);
        for (AuthorizationDecisionListener listener : listeners) {
            listener.onDecision(decision);
        }
        return new org.springframework.security.authorization.AuthorizationDecision(decision.permitted());
    }

    private NormalizedPath pathOf(HttpServletRequest request) {
        try {
            return paths.of(request);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }
}
