package io.github.spiffeboot.authz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;

/**
 * A compiled set of SPIFFE ID patterns: exact IDs and whole trust domains are hash lookups; only
 * wildcard patterns are scanned.
 */
public final class CallerSet {

    private static final CallerSet EMPTY = new CallerSet(List.of());

    private final Set<SpiffeId> exact = new HashSet<>();

    private final Set<TrustDomain> trustDomains = new HashSet<>();

    private final List<SpiffeIdPattern> wildcards = new ArrayList<>();

    private final List<SpiffeIdPattern> patterns;

    private CallerSet(List<SpiffeIdPattern> patterns) {
        this.patterns = List.copyOf(patterns);
        for (SpiffeIdPattern pattern : patterns) {
            switch (pattern.kind()) {
                case EXACT -> exact.add(pattern.exactId());
                case TRUST_DOMAIN -> trustDomains.add(pattern.trustDomain());
                case WILDCARD -> wildcards.add(pattern);
            }
        }
    }

    public static CallerSet of(List<SpiffeIdPattern> patterns) {
        return patterns.isEmpty() ? EMPTY : new CallerSet(patterns);
    }

    /** Parses and compiles pattern strings. */
    public static CallerSet parse(List<String> patterns) {
        return of(SpiffeIdPattern.parseAll(patterns));
    }

    public boolean contains(SpiffeId id) {
        if (exact.contains(id) || trustDomains.contains(id.trustDomain())) {
            return true;
        }
        for (SpiffeIdPattern wildcard : wildcards) {
            if (wildcard.matches(id)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    public List<SpiffeIdPattern> patterns() {
        return patterns;
    }
}
