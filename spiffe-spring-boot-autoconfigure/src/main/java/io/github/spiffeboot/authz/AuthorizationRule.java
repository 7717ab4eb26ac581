package io.github.spiffeboot.authz;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One entry of the allowlist: which callers may (and which may never) call which endpoint.
 *
 * @param name a name for logs and metrics
 * @param path the endpoint pattern
 * @param methods the HTTP methods the rule covers, upper case; empty for all
 * @param allowed the callers allowed
 * @param denied the callers denied, whatever any rule allows
 * @param dryRun whether a denial by this rule is only logged and counted
 */
public record AuthorizationRule(String name, EndpointPattern path, Set<String> methods, CallerSet allowed,
        CallerSet denied, boolean dryRun) {

    private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
            "OPTIONS", "TRACE");

    public AuthorizationRule {
        methods = Set.copyOf(methods);
    }

    /**
     * Builds a rule from configuration values.
     * @throws InvalidRuleException naming the bad value
     */
    public static AuthorizationRule of(String name, String path, List<String> methods, List<String> allowed,
            List<String> denied, boolean dryRun) {
        EndpointPattern pattern = EndpointPattern.parse(path);
        String ruleName = (name != null && !name.isBlank()) ? name : defaultName(path, methods);
        return new AuthorizationRule(ruleName, pattern, parseMethods(methods), CallerSet.parse(allowed),
                CallerSet.parse(denied), dryRun);
    }

    /**
     * Builds a rule about gRPC methods ({@code package.Service/Method} or {@code package.Service/*}). A gRPC
     * call is decided as the HTTP/2 request it is, {@code POST /package.Service/Method}, so such a rule
     * covers exactly the {@code POST}s to that path.
     * @throws InvalidRuleException naming the bad value
     */
    public static AuthorizationRule ofGrpcMethod(String name, String grpcMethod, List<String> allowed,
            List<String> denied, boolean dryRun) {
        EndpointPattern pattern = EndpointPattern.grpcMethod(grpcMethod);
        String ruleName = (name != null && !name.isBlank()) ? name : grpcMethod;
        return new AuthorizationRule(ruleName, pattern, Set.of("POST"), CallerSet.parse(allowed),
                CallerSet.parse(denied), dryRun);
    }

    /** Upper-cases and checks HTTP method names. */
    public static Set<String> parseMethods(List<String> methods) {
        Set<String> parsed = new TreeSet<>();
        for (String method : methods) {
            String upper = (method != null) ? method.trim().toUpperCase(Locale.ROOT) : "";
            if (!HTTP_METHODS.contains(upper)) {
                throw new InvalidRuleException("'" + method + "' is not an HTTP method; use one of "
                        + new TreeSet<>(HTTP_METHODS));
            }
            parsed.add(upper);
        }
        return parsed;
    }

    /** A rule that only lists callers to deny, and leaves allowing to other rules or the default policy. */
    boolean denyOnly() {
        return allowed.isEmpty() && !denied.isEmpty();
    }

    private static String defaultName(String path, List<String> methods) {
        return methods.isEmpty() ? path : String.join(",", new TreeSet<>(parseMethods(methods))) + " " + path;
    }
}
