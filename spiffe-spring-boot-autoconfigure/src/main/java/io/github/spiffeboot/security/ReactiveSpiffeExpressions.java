package io.github.spiffeboot.security;

import io.github.spiffeboot.id.SpiffeId;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import reactor.core.publisher.Mono;

/**
 * The {@code @spiffe} bean of reactive applications ({@code @EnableReactiveMethodSecurity}): the same
 * checks, spelled the same way, as {@link SpiffeExpressions}, for the caller of the current reactive
 * context rather than of the current thread. Reactive method security accepts their {@code Mono<Boolean>}
 * results in {@code @PreAuthorize}, and so in {@link AllowedCallers}:
 *
 * <pre>{@code
 * @PreAuthorize("@spiffe.isCaller('spiffe://example.org/ns/production/sa/order-service')")
 * Mono<Receipt> receipt(String id) { ... }
 * }</pre>
 *
 * Calls are compiled and kept as {@link SpiffeExpressions} keeps them, with the same bound; a caller
 * without a SPIFFE identity, or a malformed argument, never matches.
 */
public final class ReactiveSpiffeExpressions {

    private final SpiffeExpressions expressions = new SpiffeExpressions();

    /** Whether the caller's SPIFFE ID is exactly one of these. */
    public Mono<Boolean> isCaller(String... ids) {
        return caller().map(caller -> expressions.isCaller(caller, ids)).defaultIfEmpty(false);
    }

    /** Whether the caller's SPIFFE ID matches one of these patterns (see {@link SpiffeExpressions#callerMatches}). */
    public Mono<Boolean> callerMatches(String... patterns) {
        return caller().map(caller -> expressions.callerMatches(caller, patterns)).defaultIfEmpty(false);
    }

    /** Whether the caller belongs to this trust domain. */
    public Mono<Boolean> isFromTrustDomain(String trustDomain) {
        return caller().map(caller -> expressions.isFromTrustDomain(caller, trustDomain)).defaultIfEmpty(false);
    }

    /** How many calls are compiled and kept. */
    int cachedExpressions() {
        return expressions.cachedExpressions();
    }

    private static Mono<SpiffeId> caller() {
        return ReactiveSecurityContextHolder.getContext()
            .map(SecurityContext::getAuthentication)
            .filter(SpiffeAuthentication.class::isInstance)
            .map(authentication -> ((SpiffeAuthentication) authentication).getPrincipal());
    }
}
