package io.github.spiffeboot.authz;

import io.github.spiffeboot.id.SpiffeId;

/**
 * What the policy decided for one request.
 *
 * @param caller the caller's SPIFFE ID, {@code null} if it presented none
 * @param method the HTTP method
 * @param path the request path as received
 * @param rule the name of the deciding rule, or {@link AuthorizationPolicy#DEFAULT_RULE}
 * @param outcome the outcome
 * @param reason why, in words
 */
public record AuthorizationDecision(SpiffeId caller, String method, String path, String rule, Outcome outcome,
        String reason) {

    /** The three ways a decision can go. */
    public enum Outcome {
        /** Allowed. */
        ALLOW,
        /** Denied. */
        DENY,
        /** Would have been denied, but the deciding rule (or the whole policy) is in dry-run mode. */
        DRY_RUN_DENY
    }

    /** Whether the request may proceed (allowed, or denied only in dry-run). */
    public boolean permitted() {
        return outcome != Outcome.DENY;
    }
}
