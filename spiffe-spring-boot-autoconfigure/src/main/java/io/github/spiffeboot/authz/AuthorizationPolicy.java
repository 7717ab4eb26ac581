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
 * in the first step only. A request no rule covers gets the default policy.
 * <p>
 * A path with a trailing slash is decided twice, and must be allowed both times: as Spring MVC matches it
 * ({@code /items/} is not {@code /items}, but the final {@code *} of {@code /items/*} matches it), and
 * without the slash (as it reaches handlers in applications that strip trailing slashes). Whichever
 * handler such a request reaches, the rule in charge of that handler has allowed the caller.
 * <p>
 * Compiled once at startup: endpoint patterns go into a tree of path segments, so finding the rules
 * that cover a path costs about the path's depth, not the number of rules; caller checks are hash
 * lookups.
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

    private final List<AuthorizationRule> rules;

    private final Map<AuthorizationRule, Integer> rank = new HashMap<>();

    private final Node root = new Node();

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
        for (int i = 0; i < this.rules.size(); i++) {
            AuthorizationRule rule = this.rules.get(i);
            rank.putIfAbsent(rule, i);
            root.add(rule, rule.path().segments(), 0);
        }
        this.defaultPolicy = defaultPolicy;
        this.dryRun = dryRun;
    }

    /**
     * Decides a request.
     * @param caller the caller's verified SPIFFE ID, or {@code null}
     * @param method the HTTP method
     * @param path the path as received, for the decision record
     * @param normalizedPath the path from {@link RequestPaths#normalize}
     */
    public AuthorizationDecision decide(SpiffeId caller, String method, String path, NormalizedPath normalizedPath) {
        if (caller == null) {
            return new AuthorizationDecision(null, method, path, DEFAULT_RULE, Outcome.DENY, "no SPIFFE identity");
        }
        AuthorizationDecision withoutSlash = decide(caller, method, path, normalizedPath, false);
        if (!normalizedPath.trailingSlash() || withoutSlash.outcome() == Outcome.DENY) {
            return withoutSlash;
        }
        AuthorizationDecision asMatched = decide(caller, method, path, normalizedPath, true);
        return (severity(asMatched.outcome()) > severity(withoutSlash.outcome())) ? asMatched : withoutSlash;
    }

    /**
     * One reading of the path.
     * @param emptyLast whether the path is read with an empty last segment (its trailing slash), as Spring
     * MVC matches it; otherwise without it
     */
    private AuthorizationDecision decide(SpiffeId caller, String method, String path, NormalizedPath normalizedPath,
            boolean emptyLast) {
        List<AuthorizationRule> covering = new ArrayList<>(4);
        root.collect(normalizedPath, 0, emptyLast, covering);
        AuthorizationRule deciding = null;
        for (AuthorizationRule rule : covering) {
            if (!coversMethod(rule, method)) {
                continue;
            }
            if (!rule.denied().isEmpty() && rule.denied().contains(caller)) {
                return deny(rule, caller, method, path, "caller is on the denylist");
            }
            if (!rule.denyOnly() && (deciding == null || rank.get(rule) < rank.get(deciding))) {
                deciding = rule;
            }
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

    private static int severity(Outcome outcome) {
        return switch (outcome) {
            case ALLOW -> 0;
            case DRY_RUN_DENY -> 1;
            case DENY -> 2;
        };
    }

    /** Spring MVC answers HEAD with the GET handler, so a rule about GET is about HEAD too. */
    private static boolean coversMethod(AuthorizationRule rule, String method) {
        return rule.methods().isEmpty() || rule.methods().contains(method)
                || ("HEAD".equals(method) && rule.methods().contains("GET"));
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

    /**
     * One level of the path tree: rules ending here, rules ending in a rest ('**') here, and the next
     * segments.
     */
    private static final class Node {

        private final Map<String, Node> literals = new HashMap<>();

        private Node wildcard;

        private final List<AuthorizationRule> endingHere = new ArrayList<>(1);

        /** Of {@link #endingHere}, those whose last segment is '*', which also matches an empty segment. */
        private final List<AuthorizationRule> endingInStarHere = new ArrayList<>(1);

        private final List<AuthorizationRule> restFromHere = new ArrayList<>(1);

        void add(AuthorizationRule rule, String[] segments, int depth) {
            if (depth == segments.length) {
                if (rule.path().trailingRest()) {
                    restFromHere.add(rule);
                }
                else {
                    endingHere.add(rule);
                    if (rule.path().endsWithStar()) {
                        endingInStarHere.add(rule);
                    }
                }
                return;
            }
            String segment = segments[depth];
            Node next;
            if (segment == null) {
                if (wildcard == null) {
                    wildcard = new Node();
                }
                next = wildcard;
            }
            else {
                next = literals.computeIfAbsent(segment, key -> new Node());
            }
            next.add(rule, segments, depth + 1);
        }

        /**
         * Collects the rules covering the path from this depth on.
         * @param emptyLast whether the path ends in an empty segment after its last one
         */
        void collect(NormalizedPath path, int depth, boolean emptyLast, List<AuthorizationRule> into) {
            addAll(restFromHere, into);
            if (depth == path.size()) {
                // With an empty last segment only a final '*' matches here; '/' itself is the exception.
                if (!emptyLast || depth == 0) {
                    addAll(endingHere, into);
                }
                if (emptyLast && wildcard != null) {
                    addAll(wildcard.endingInStarHere, into);
                }
                return;
            }
            Node literal = literals.get(path.segment(depth));
            if (literal != null) {
                literal.collect(path, depth + 1, emptyLast, into);
            }
            if (wildcard != null) {
                wildcard.collect(path, depth + 1, emptyLast, into);
            }
        }

        private static void addAll(List<AuthorizationRule> rules, List<AuthorizationRule> into) {
            if (!rules.isEmpty()) {
                into.addAll(rules);
            }
        }
    }
}
