package io.github.spiffeboot.benchmarks.x509;

import java.util.Set;
import java.util.function.Supplier;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/** Allows an authenticated caller whose SPIFFE ID (the principal's name) is on the list; denies everyone else. */
final class CallerAllowlist implements AuthorizationManager<RequestAuthorizationContext> {

    private final Set<String> callers;

    private CallerAllowlist(Set<String> callers) {
        this.callers = callers;
    }

    static CallerAllowlist of(String... spiffeIds) {
        return new CallerAllowlist(Set.of(spiffeIds));
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
            RequestAuthorizationContext request) {
        Authentication caller = authentication.get();
        boolean allowed = caller != null && caller.isAuthenticated()
                && !(caller instanceof AnonymousAuthenticationToken) && callers.contains(caller.getName());
        return new AuthorizationDecision(allowed);
    }
}
