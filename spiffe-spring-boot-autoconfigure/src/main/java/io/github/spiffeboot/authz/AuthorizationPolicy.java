package io.github.spiffeboot.authz;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.spiffeboot.authz.AuthorizationDecision.Outcome;
import io.github.spiffeboot.id.SpiffeId;

/**
 * The compiled allowlist. For a request it takes every rule whose endpoint pattern and methods cover
 * it; a caller named in any of their deny lists is denied; otherwise the most specific of them decides
 * (more literal segments win, then the order of configuration). Rules with only a deny list take part
 * in the first step only. A request no rule covers gets the
 * default policy. Compiled once at startup: rules are indexed by their first path segment, and caller
 * checks are hash lookups.
 */
public final class AuthorizationPolicy {

    /** The name decisions carry when no rule covered the request. */
    public static final String DEFAULT_RULE = "default";

    /** What happens to requests no rule covers. */
    public enum DefaultPolicy {
        /** Deny them. */
        DENY,
        /** Allow any caller with a SPIFFE ID. */
        AUTHENTICATED
    }

    private static final List<AuthorizationRule> NONE = List.of();

    private final List<AuthorizationRule> rules;

    private final Map<String, List<AuthorizationRule>> byFirstSegment = new HashMap<>();

    private final List<AuthorizationRule> unindexed = new ArrayList<>();

    private final DefaultPolicy defaultPolicy;

    private final boolean dryRun;

    /**
     * @param rules the rules, in configuration order (which breaks ties in specificity)
     * @param dryRun whether every denial is only logged and counted
     */
    public AuthorizationPolicy(List<AuthorizationRule> rules, DefaultPolicy defaultPolicy, boolean dryRun) {
        List<AuthorizationRule> ordered = new ArrayList<>(rules);
        // Stable sort: equally specific rules keep their configuration order.
        ordered.sort(Comparator.comparingInt((AuthorizationRule rule) -> rule.path().specificity()).reversed());
        this.rules = List.copyOf(ordered);
        for (AuthorizationRule rule : this.rules) {
            String first = rule.path().firstLiteral();
            if (first != null) {
                byFirstSegment.computeIfAbsent(first, key -> new ArrayList<>()).add(rule);
            }
            else {
                unindexed.add(rule);
            }
        }
        this.defaultPolicy = defaultPolicy;
        this.dryRun = dryRun;
    }

    /**
     * Decides a request.
     * @param caller the caller's verified SPIFFE ID, or {@code null}
     * @param method the HTTP method, upper case
     * @param path the path as received, for the decision record
     * @param normalizedPath the path's segments after {@link RequestPaths#normalize}
     */
    public AuthorizationDecision decide(SpiffeId caller, String method, String path, List<String> normalizedPath) {
        if (caller == null) {
            return new AuthorizationDecision(null, method, path, DEFAULT_RULE, Outcome.DENY, "no SPIFFE identity");
        }
        AuthorizationRule deciding = null;
        List<AuthorizationRule> candidates = normalizedPath.isEmpty() ? NONE
                : byFirstSegment.getOrDefault(normalizedPath.get(0), NONE);
        AuthorizationDecision denied = checkDenyLists(candidates, caller, method, path, normalizedPath);
        if (denied == null) {
            denied = checkDenyLists(unindexed, caller, method, path, normalizedPath);
        }
        if (denied != null) {
            return denied;
        }
        deciding = mostSpecific(candidates, method, normalizedPath);
        AuthorizationRule other = mostSpecific(unindexed, method, normalizedPath);
        if (deciding == null || (other != null && other.path().specificity() > deciding.path().specificity())) {
            deciding = other;
        }
        if (deciding == null) {
            return (defaultPolicy == DefaultPolicy.AUTHENTICATED)
                    ? new AuthorizationDecision(caller, method, path, DEFAULT_RULE, Outcome.ALLOW,
                            "no rule covers the endpoint; any SPIFFE identity may call it")
                    : deny(null, caller, method, path, "no rule covers the endpoint");
        }
        if (deciding.allowed().contains(caller)) {
            return new AuthorizationDecision(caller, method, path, deciding.name(), Outcome.ALLOW,
                    "caller is on the allowlist");
        }
        return deny(deciding, caller, method, path, "caller is not on the allowlist");
    }

    private AuthorizationDecision checkDenyLists(List<AuthorizationRule> candidates, SpiffeId caller, String method,
            String path, List<String> normalizedPath) {
        for (AuthorizationRule rule : candidates) {
            if (!rule.denied().isEmpty() && rule.denied().contains(caller) && rule.covers(method, normalizedPath)) {
                return deny(rule, caller, method, path, "caller is on the denylist");
            }
        }
        return null;
    }

    private static AuthorizationRule mostSpecific(List<AuthorizationRule> candidates, String method,
            List<String> normalizedPath) {
        for (AuthorizationRule rule : candidates) {
            if (!rule.denyOnly() && rule.covers(method, normalizedPath)) {
                return rule;
            }
        }
        return null;
    }

    private AuthorizationDecision deny(AuthorizationRule rule, SpiffeId caller, String method, String path,
            String reason) {
        boolean onlyLogged = dryRun || (rule != null && rule.dryRun());
        return new AuthorizationDecision(caller, method, path, (rule != null) ? rule.name() : DEFAULT_RULE,
                onlyLogged ? Outcome.DRY_RUN_DENY : Outcome.DENY, reason);
    }

    /** The rules, most specific first. */
    public List<AuthorizationRule> rules() {
        return rules;
    }
}
