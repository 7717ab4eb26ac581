package io.github.spiffeboot.security;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.X509BundleSet;
import io.github.spiffeboot.svid.X509SvidVerifier;
import org.springframework.security.core.GrantedAuthority;

/**
 * Caller chains verified the SPIFFE way, remembered per chain for as long as the bundle set they were
 * verified with is current. Verifying a chain (signatures, PKIX path) is the expensive part of
 * authenticating a request; a keep-alive connection presents the same chain on every request, so it is
 * done once per chain and bundle set, not once per request.
 * <p>
 * Each generation of the cache belongs to one bundle set: a result is only ever stored in the generation
 * of the bundles it was verified with, so a verification that races with a bundle change can never leave
 * a stale "valid" behind. A hit re-checks the validity window of the whole chain (the earliest
 * {@code notAfter} and latest {@code notBefore} of all its certificates), not only the leaf's.
 * <p>
 * Public for the reactive (WebFlux) authentication, which shares it with the servlet filter.
 */
public final class VerifiedCallers {

    /**
     * A verified chain: the caller's ID, its authorities, when the chain as a whole is valid, and when a
     * connection authenticated with it should be renewed (four fifths into the leaf's lifetime, capped by
     * the chain's validity), so that a client has long since rotated its SVID (SPIRE does so at half-life)
     * when its connection is closed.
     */
    public record Caller(SpiffeId id, List<GrantedAuthority> authorities, long validFrom, long validUntil, long renewAt) {
    }

    /** Verifies one chain against one bundle set; {@code X509SvidVerifier::verify} in production. */
    @FunctionalInterface
    interface ChainVerifier {

        SpiffeId verify(X509Certificate[] chain, X509BundleSet bundles) throws SvidVerificationException;
    }

    private record Generation(X509BundleSet bundles, Map<List<X509Certificate>, Caller> callers) {
    }

    static final int LIMIT = 10_000;

    private final X509ContextSource source;

    private final ChainVerifier verifier;

    private final SpiffeAuthorities authorities;

    private final Clock clock;

    private volatile Generation generation = new Generation(null, new ConcurrentHashMap<>());

    /** Verifies chains with {@link X509SvidVerifier}, against the source's current bundles. */
    public VerifiedCallers(X509ContextSource source, SpiffeAuthorities authorities) {
        this(source, new X509SvidVerifier()::verify, authorities, Clock.systemUTC());
    }

    VerifiedCallers(X509ContextSource source, ChainVerifier verifier, SpiffeAuthorities authorities, Clock clock) {
        this.source = source;
        this.verifier = verifier;
        this.authorities = authorities;
        this.clock = clock;
    }

    /**
     * The caller this chain proves, or {@code null} if it is no valid X509-SVID for the current bundles.
     * @throws SvidVerificationException with the reason, if the chain does not verify
     */
    public Caller verify(X509Certificate[] chain) throws SvidVerificationException {
        Generation current = generationFor(source.current().bundles());
        List<X509Certificate> key = Arrays.asList(chain);
        long now = clock.millis();
        Caller cached = current.callers().get(key);
        if (cached != null && now >= cached.validFrom() && now < cached.validUntil()) {
            return cached;
        }
        SpiffeId id = verifier.verify(chain, current.bundles());
        long validUntil = earliestNotAfter(chain);
        long leafIssued = chain[0].getNotBefore().getTime();
        long renewAt = validUntil - Math.max(0, validUntil - leafIssued) / 5;
        Caller caller = new Caller(id, List.copyOf(authorities.of(id)), latestNotBefore(chain), validUntil, renewAt);
        if (current.callers().size() < LIMIT) {
            current.callers().put(List.of(chain), caller);
        }
        return caller;
    }

    private Generation generationFor(X509BundleSet bundles) {
        Generation current = generation;
        // A new bundle set, or a full cache, starts a new generation. Two threads may both start one; the
        // loser's entries are merely not remembered.
        if (current.bundles() != bundles || current.callers().size() >= LIMIT) {
            current = new Generation(bundles, new ConcurrentHashMap<>());
            generation = current;
        }
        return current;
    }

    private static long latestNotBefore(X509Certificate[] chain) {
        long latest = Long.MIN_VALUE;
        for (X509Certificate certificate : chain) {
            latest = Math.max(latest, certificate.getNotBefore().getTime());
        }
        return latest;
    }

    private static long earliestNotAfter(X509Certificate[] chain) {
        long earliest = Long.MAX_VALUE;
        for (X509Certificate certificate : chain) {
            earliest = Math.min(earliest, certificate.getNotAfter().getTime());
        }
        return earliest;
    }
}
