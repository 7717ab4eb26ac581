package io.github.spiffeboot.authz;

/** Told of every authorization decision, for audit logs and metrics. Called on the request thread. */
@FunctionalInterface
public interface AuthorizationDecisionListener {

    void onDecision(AuthorizationDecision decision);
}
