package io.github.spiffeboot.observability;

import java.time.Duration;
import java.time.Instant;

import io.github.spiffeboot.source.WorkloadApiConnectionState;
import io.github.spiffeboot.svid.X509Svid;

/**
 * How healthy the workload's identity is, judged against the SVID's own lifetime rather than a fixed
 * number of days: SVIDs live minutes to hours and are rotated at about half their life, so one with
 * less than a given fraction of its life left has missed its rotation.
 */
public final class SvidHealth {

    /** The three levels. */
    public enum Level {
        /** Valid, and the Workload API connected. */
        UP,
        /** Still valid, but rotation is overdue or the Workload API is unreachable. */
        WARNING,
        /** No valid SVID: it has expired (or is not yet valid). */
        DOWN
    }

    /**
     * An assessment.
     *
     * @param level the level
     * @param reason why, in words
     * @param remaining time left until the SVID expires (negative once expired)
     */
    public record Assessment(Level level, String reason, Duration remaining) {
    }

    private final double warningFraction;

    /**
     * @param warningFraction warn when less than this fraction of the SVID's lifetime is left
     */
    public SvidHealth(double warningFraction) {
        this.warningFraction = warningFraction;
    }

    /**
     * @param state the Workload API connection, or {@code null} for sources that have none
     */
    public Assessment assess(X509Svid svid, WorkloadApiConnectionState state, Instant now) {
        Instant notAfter = svid.expiresAt();
        Duration remaining = Duration.between(now, notAfter);
        if (!now.isBefore(notAfter)) {
            return new Assessment(Level.DOWN, "the X.509-SVID expired at " + notAfter, remaining);
        }
        if (now.isBefore(svid.issuedAt())) {
            return new Assessment(Level.DOWN, "the X.509-SVID is not valid before " + svid.issuedAt(), remaining);
        }
        if (state != null && state != WorkloadApiConnectionState.CONNECTED) {
            return new Assessment(Level.WARNING,
                    "the Workload API is " + state + "; serving the last X.509-SVID until it expires at " + notAfter,
                    remaining);
        }
        Duration lifetime = Duration.between(svid.issuedAt(), notAfter);
        if (remaining.toMillis() < lifetime.toMillis() * warningFraction) {
            return new Assessment(Level.WARNING, "the X.509-SVID has " + remaining.toSeconds() + " s left of its "
                    + lifetime.toSeconds() + " s lifetime: rotation is overdue", remaining);
        }
        return new Assessment(Level.UP, "valid for " + remaining.toSeconds() + " s more", remaining);
    }
}
