package io.github.spiffeboot.security;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
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
 * Patterns are those of {@code spiffe.authz} and are compiled once. A caller without a SPIFFE identity
 * never matches.
 */
public final class SpiffeExpressions {

    private final Map<List<String>, CallerSet> compiled = new ConcurrentHashMap<>();

    /** Whether the caller's SPIFFE ID is exactly one of these. */
    public boolean isCaller(String... ids) {
        SpiffeId caller = caller();
        return caller != null && Arrays.stream(ids).anyMatch(id -> SpiffeId.parse(id).equals(caller));
    }

    /**
     * Whether the caller's SPIFFE ID matches one of these patterns (exact, {@code *} segments,
     * {@code /**}). An argument may also hold several patterns separated by commas (no SPIFFE ID contains
     * one), which is how {@link AllowedCallers} passes its list.
     */
    public boolean callerMatches(String... patterns) {
        SpiffeId caller = caller();
        return caller != null && compiled.computeIfAbsent(List.of(patterns), SpiffeExpressions::compile).contains(caller);
    }

    private static CallerSet compile(List<String> arguments) {
        return CallerSet.parse(arguments.stream()
            .flatMap(argument -> Arrays.stream(argument.split(",")))
            .map(String::trim)
            .filter(pattern -> !pattern.isEmpty())
            .toList());
    }

    /** Whether the caller belongs to this trust domain. */
    public boolean isFromTrustDomain(String trustDomain) {
        SpiffeId caller = caller();
        return caller != null && caller.trustDomain().equals(TrustDomain.parse(trustDomain));
    }

    private static SpiffeId caller() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return (authentication instanceof SpiffeAuthentication spiffe) ? spiffe.getPrincipal() : null;
    }
}
