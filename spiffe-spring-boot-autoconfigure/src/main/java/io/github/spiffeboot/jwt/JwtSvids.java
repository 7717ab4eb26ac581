package io.github.spiffeboot.jwt;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * This workload's JWT-SVIDs for outgoing calls, one per audience set:
 *
 * <pre>{@code
 * String bearer = jwtSvids.token("spiffe://example.org/ns/prod/sa/payment-service");
 * }</pre>
 *
 * A token is fetched from the Workload API on first use, then reused: past half its lifetime (SPIRE's own
 * renewal point) a renewal starts in the background while the current token is still handed out, so a
 * request never waits for the agent unless no usable token is left (the first call, or the agent down
 * for longer than a token lives). A token is never handed out closer than {@link #MIN_REMAINING} to its
 * expiry, so it cannot expire on the wire. At most {@value #MAX_AUDIENCE_SETS} audience sets are kept (more
 * start the cache afresh).
 */
public final class JwtSvids {

    /** A token with less time left than this is not handed out. */
    public static final Duration MIN_REMAINING = Duration.ofSeconds(5);

    static final int MAX_AUDIENCE_SETS = 64;

    private static final Log logger = LogFactory.getLog(JwtSvids.class);

    private final JwtSvidFetcher fetcher;

    private final Executor renewals;

    private final Clock clock;

    /** Read on every outgoing request: lock-free; bounded by starting afresh when full. */
    private final Map<Set<String>, Slot> slots = new ConcurrentHashMap<>();

    /**
     * @param renewals runs background renewals (one short task per renewal)
     */
    public JwtSvids(JwtSvidFetcher fetcher, Executor renewals, Clock clock) {
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.renewals = Objects.requireNonNull(renewals, "renewals");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The compact JWT-SVID for these audiences, for {@code Authorization: Bearer}.
     * @throws JwtSvidUnavailableException if no usable token can be had now
     */
    public String token(String audience, String... moreAudiences) {
        if (moreAudiences.length == 0) {
            return svid(Collections.singleton(audience)).token();
        }
        Set<String> audiences = new HashSet<>();
        audiences.add(audience);
        Collections.addAll(audiences, moreAudiences);
        return svid(audiences).token();
    }

    /**
     * The token for this one audience if one is at hand without asking the agent (a renewal may start in
     * the background), else {@code null}: for callers that must not block.
     */
    public String tokenIfFresh(String audience) {
        Slot slot = slots.get(Collections.singleton(audience));
        JwtSvid held = (slot != null) ? slot.ifUsable() : null;
        return (held != null) ? held.token() : null;
    }

    /**
     * A JWT-SVID for these audiences with at least {@link #MIN_REMAINING} left.
     * @throws JwtSvidUnavailableException if none can be had now
     */
    public JwtSvid svid(Set<String> audiences) {
        Slot slot = slots.get(audiences);
        if (slot == null) {
            // Checked once per audience set, not per request.
            if (audiences.isEmpty() || audiences.stream().anyMatch(audience -> audience == null || audience.isEmpty())) {
                throw new IllegalArgumentException("a JWT-SVID needs audiences, got " + audiences);
            }
            if (slots.size() >= MAX_AUDIENCE_SETS) {
                // Audience sets built per request (a bug in the caller) must not grow this without bound.
                slots.clear();
            }
            slot = slots.computeIfAbsent(Set.copyOf(audiences), Slot::new);
        }
        return slot.get();
    }

    /**
     * Forgets every held token whose signing key ({@code kid}) the bundles no longer hold for its trust
     * domain: a key retired early or revoked. Verifiers refuse such a token, so the next call fetches a fresh
     * one rather than sending it until its renewal is due. Meant for every JWT bundle change; costs one
     * header read per held token, never anything per request.
     */
    public void forgetTokensOfRemovedKeys(JwtBundleSet bundles) {
        for (Slot slot : slots.values()) {
            slot.forgetIfKeyRemoved(bundles);
        }
    }

    private final class Slot {

        private final Set<String> audiences;

        private final AtomicBoolean renewing = new AtomicBoolean();

        private volatile JwtSvid svid;

        Slot(Set<String> audiences) {
            this.audiences = audiences;
        }

        /** The token without fetching, renewing in the background if due; {@code null} if none is usable. */
        JwtSvid ifUsable() {
            Instant now = clock.instant();
            JwtSvid held = svid;
            if (held == null || !usable(held, now)) {
                return null;
            }
            if (!now.isBefore(renewAt(held))) {
                renewInBackground();
            }
            return held;
        }

        void forgetIfKeyRemoved(JwtBundleSet bundles) {
            JwtSvid held = svid;
            if (held == null) {
                return;
            }
            String keyId = held.keyId();
            JwtBundle bundle = bundles.forTrustDomain(held.id().trustDomain());
            if (keyId != null && bundle != null && bundle.key(keyId) != null) {
                return;
            }
            synchronized (this) {
                if (svid != held) {
                    return;
                }
                svid = null;
            }
            logger.info("Dropped the JWT-SVID for " + audiences + ": its signing key " + keyId
                    + " is no longer in the JWT bundle of " + held.id().trustDomain() + "; the next call fetches a new one");
        }

        JwtSvid get() {
            Instant now = clock.instant();
            JwtSvid held = svid;
            if (held != null && now.isBefore(renewAt(held))) {
                return held;
            }
            if (held != null && usable(held, now)) {
                renewInBackground();
                return held;
            }
            synchronized (this) {
                held = svid;
                if (held != null && usable(held, clock.instant())) {
                    return held;
                }
                held = fetcher.fetch(audiences);
                svid = held;
                return held;
            }
        }

        private void renewInBackground() {
            if (!renewing.compareAndSet(false, true)) {
                return;
            }
            try {
                renewals.execute(() -> {
                    try {
                        svid = fetcher.fetch(audiences);
                    }
                    catch (RuntimeException ex) {
                        logger.warn("Could not renew the JWT-SVID for " + audiences + " (" + ex.getMessage()
                                + "); the current one is used until " + svid.expiresAt().minus(MIN_REMAINING));
                    }
                    finally {
                        renewing.set(false);
                    }
                });
            }
            catch (RuntimeException ex) {
                renewing.set(false);
            }
        }

        private boolean usable(JwtSvid candidate, Instant now) {
            return now.isBefore(candidate.expiresAt().minus(MIN_REMAINING));
        }

        private Instant renewAt(JwtSvid candidate) {
            Duration lifetime = Duration.between(candidate.issuedAt(), candidate.expiresAt());
            return candidate.issuedAt().plus(lifetime.dividedBy(2));
        }
    }
}
