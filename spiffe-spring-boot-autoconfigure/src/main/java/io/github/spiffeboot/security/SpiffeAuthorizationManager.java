package io.github.spiffeboot.security;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.authz.NormalizedPath;
import io.github.spiffeboot.authz.RequestPaths;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Decides requests with the {@link AuthorizationPolicy} ({@code spiffe.authz.allowed-callers}). The
 * path is read as Spring MVC reads it (percent-decoded segments, path parameters dropped, within the
 * application's context path), then normalised, so any spelling that reaches a handler meets its rule.
 * Requests without a SPIFFE identity are denied and answered 401. Error dispatches (rendering the
 * error of a request already decided) are let through.
 */
public final class SpiffeAuthorizationManager implements AuthorizationManager<RequestAuthorizationContext> {

    /** Request attribute holding the {@link AuthorizationDecision}, for error responses. */
    public static final String DECISION_ATTRIBUTE = SpiffeAuthorizationManager.class.getName() + ".decision";

    private final AuthorizationPolicy policy;

    private final List<AuthorizationDecisionListener> listeners;

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
        Authentication caller = authentication.get();
        AuthorizationDecision decision = policy.decide(
                (caller instanceof SpiffeAuthentication spiffe) ? spiffe.getPrincipal() : null,
                request.getMethod().toUpperCase(java.util.Locale.ROOT),
                request.getRequestURI(), segments(request));
        request.setAttribute(DECISION_ATTRIBUTE, decision);
        for (AuthorizationDecisionListener listener : listeners) {
            listener.onDecision(decision);
        }
        return new org.springframework.security.authorization.AuthorizationDecision(decision.permitted());
    }

    static NormalizedPath segments(HttpServletRequest request) {
        RequestPath path = RequestPath.parse(request.getRequestURI(), request.getContextPath());
        List<PathContainer.Element> elements = path.pathWithinApplication().elements();
        List<String> segments = new ArrayList<>(elements.size());
        for (PathContainer.Element element : elements) {
            if (element instanceof PathContainer.PathSegment segment) {
                segments.add(segment.valueToMatch());
            }
        }
        boolean trailingSlash = !elements.isEmpty()
                && !(elements.get(elements.size() - 1) instanceof PathContainer.PathSegment);
        return RequestPaths.normalize(segments, trailingSlash);
    }
}
