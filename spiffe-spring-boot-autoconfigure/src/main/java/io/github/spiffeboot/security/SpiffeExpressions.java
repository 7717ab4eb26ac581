package io.github.spiffeboot.security;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * SPIFFE checks for {@code @PreAuthorize}, registered as the bean {@code spiffe}:
 *
 * <pre>{@code
 * @PreAuthorize("@spiffe.callerMatches('spiffe://example.org/ns/*' + '/sa/order-service')")
 * @PreAuthorize("@spiffe.isCaller('spiffe://example.org/ns/production/sa/order-service')")
 * @PreAuthorize("@spiffe.isFromTrustDomain('example.org')")
 * }</pre>
 *
 * Patterns are those of {@code spiffe.authz}. Each distinct call (function and arguments) is compiled
 * once and kept. Patterns built per request cannot fill the memory: when {@value #MAX_CACHED} calls are
 * kept, the cache is emptied and refilled, so the calls every request makes are compiled again only once
 * per so many distinct calls. A caller without a SPIFFE identity never matches. A malformed argument never
 * matches either: the check denies (403) and one error line (per compilation) names the call, rather than
 * failing the request with a 500.
 */
public final class SpiffeExpressions {

    private static final Log log = LogFactory.getLog(SpiffeExpressions.class);

    /** How many distinct calls are kept compiled at most. */
    static final int MAX_CACHED = 1024;

    private static final Predicate<SpiffeId> NOBODY = caller -> false;

    private final Map<Call, Predicate<SpiffeId>> compiled = new ConcurrentHashMap<>();

    /** Whether the caller's SPIFFE ID is exactly one of these. */
    public boolean isCaller(String... ids) {
        return test("isCaller", ids, SpiffeExpressions::exactIds);
    }

    /**
     * Whether the caller's SPIFFE ID matches one of these patterns (exact, {@code *} segments,
     * {@code /**}). An argument may also hold several patterns separated by commas (no SPIFFE ID contains
     * one), which is how {@link AllowedCallers} passes its list.
     */
    public boolean callerMatches(String... patterns) {
        return test("callerMatches", patterns, SpiffeExpressions::patterns);
    }

    /** Whether the caller belongs to this trust domain. */
    public boolean isFromTrustDomain(String trustDomain) {
        return test("isFromTrustDomain", new String[] { trustDomain }, SpiffeExpressions::trustDomain);
    }

    /** How many calls are compiled and kept. */
    int cachedExpressions() {
        return compiled.size();
    }

    private boolean test(String function, String[] arguments, Function<List<String>, Predicate<SpiffeId>> compiler) {
        return test(caller(), function, arguments, compiler);
    }

    // The same checks for a caller given explicitly, for ReactiveSpiffeExpressions (no thread holds the caller
    // there), sharing the compiled calls and their bound.

    boolean isCaller(SpiffeId caller, String... ids) {
        return test(caller, "isCaller", ids, SpiffeExpressions::exactIds);
    }

    boolean callerMatches(SpiffeId caller, String... patterns) {
        return test(caller, "callerMatches", patterns, SpiffeExpressions::patterns);
    }

    boolean isFromTrustDomain(SpiffeId caller, String trustDomain) {
        return test(caller, "isFromTrustDomain", new String[] { trustDomain }, SpiffeExpressions::trustDomain);
    }

    private boolean test(SpiffeId caller, String function, String[] arguments,
            Function<List<String>, Predicate<SpiffeId>> compiler) {
        return caller != null && compiled(function, arguments, compiler).test(caller);
    }

    private Predicate<SpiffeId> compiled(String function, String[] arguments,
            Function<List<String>, Predicate<SpiffeId>> compiler) {
        if (arguments == null) {
            return NOBODY;
        }
        // A view of the arguments for the lookup; a copy is kept as the key.
        List<String> view = Arrays.asList(arguments);
        if (view.contains(null)) {
            return NOBODY;
        }
        Predicate<SpiffeId> check = compiled.get(new Call(function, view));
        if (check != null) {
            return check;
        }
        Call call = new Call(function, List.of(arguments));
        check = compile(call, compiler);
        if (compiled.size() >= MAX_CACHED) {
            // Rather than stop caching (and compile on every request whatever came after), start again.
            // Under races a few more may get in; memory stays bounded all the same.
            compiled.clear();
        }
        Predicate<SpiffeId> raced = compiled.putIfAbsent(call, check);
        return (raced != null) ? raced : check;
    }

    private static Predicate<SpiffeId> compile(Call call, Function<List<String>, Predicate<SpiffeId>> compiler) {
        try {
            return compiler.apply(call.arguments());
        }
        catch (IllegalArgumentException ex) {
            // Fail closed, and say so once (while the call stays cached), without a stack trace.
            if (log.isErrorEnabled()) {
                log.error(escape(call + " cannot be compiled, so it matches no caller (access denied): "
                        + ex.getMessage()));
            }
            return NOBODY;
        }
    }

    private static Predicate<SpiffeId> exactIds(List<String> ids) {
        Set<SpiffeId> parsed = ids.stream().map(SpiffeId::parse).collect(Collectors.toSet());
        return parsed::contains;
    }

    private static Predicate<SpiffeId> patterns(List<String> arguments) {
        return CallerSet.parse(arguments.stream()
            .flatMap(argument -> Arrays.stream(argument.split(",")))
            .map(String::trim)
            .filter(pattern -> !pattern.isEmpty())
            .toList())::contains;
    }

    private static Predicate<SpiffeId> trustDomain(List<String> arguments) {
        TrustDomain trustDomain = TrustDomain.parse(arguments.get(0));
        return caller -> caller.trustDomain().equals(trustDomain);
    }

    private static SpiffeId caller() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return (authentication instanceof SpiffeAuthentication spiffe) ? spiffe.getPrincipal() : null;
    }

    /** Control characters would let a pattern built from request data forge log lines. */
    private static String escape(String line) {
        StringBuilder escaped = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                escaped.append(String.format("\\x%02x", (int) c));
            }
            else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** One expression call: the function and its arguments. */
    private record Call(String function, List<String> arguments) {

        @Override
        public String toString() {
            return "@spiffe." + function + "("
                    + String.join(", ", arguments.stream().map(argument -> "'" + argument + "'").toList()) + ")";
        }
    }
}
