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
 * @param transport how the request came in: {@value #HTTP} or {@value #GRPC} (for the {@code path} of a gRPC
 * call is {@code /package.Service/Method}, its method {@code POST})
 * @param credential what proved the caller's ID (or, with no caller, what was refused), {@code null} if
 * nothing was presented or the decision was made without a request
 */
public record AuthorizationDecision(SpiffeId caller, String method, String path, String rule, Outcome outcome,
        String reason, String transport, Credential credential) {

    /** The transport of an HTTP request. */
    public static final String HTTP = "http";

    /** The transport of a gRPC call. */
    public static final String GRPC = "grpc";

    /**
     * A decision about an HTTP request, without a credential (the policy alone does not know how the caller was
     * proved).
     */
    public AuthorizationDecision(SpiffeId caller, String method, String path, String rule, Outcome outcome,
            String reason) {
        this(caller, method, path, rule, outcome, reason, HTTP, null);
    }

    /** The same decision, about a request that came in over the given transport. */
    public AuthorizationDecision withTransport(String transport) {
        return new AuthorizationDecision(caller, method, path, rule, outcome, reason, transport, credential);
    }

    /** The same decision, recording the credential. */
    public AuthorizationDecision withCredential(Credential credential) {
        return new AuthorizationDecision(caller, method, path, rule, outcome, reason, transport, credential);
    }

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
