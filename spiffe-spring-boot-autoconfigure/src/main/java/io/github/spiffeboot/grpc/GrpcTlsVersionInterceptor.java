package io.github.spiffeboot.grpc;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLSession;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.AuthorizationDecision.Outcome;
import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Refuses every call on a TLS connection whose version is not one the starter accepts
 * ({@code spiffe.server.tls-versions}). Boot's gRPC server takes gRPC's TLS defaults (TLS 1.2 and 1.3) and has
 * no setting that narrows them, so the handshake cannot refuse TLS 1.2 as the web servers do; the first
 * interceptor of every call does instead, before the caller is even looked at. A refusal answers
 * {@code UNAUTHENTICATED} and goes to the decision listeners (audit line, metrics) as a denial without caller.
 * Calls without TLS are not this interceptor's business: Boot's server then has no TLS at all.
 */
public final class GrpcTlsVersionInterceptor implements ServerInterceptor {

    private static final String METHOD = "POST";

    private final Set<String> versions;

    private final String accepted;

    private final List<AuthorizationDecisionListener> listeners;

    public GrpcTlsVersionInterceptor(Collection<String> versions, List<AuthorizationDecisionListener> listeners) {
        this.versions = Set.copyOf(versions);
        this.accepted = versions.stream().sorted().toList().toString();
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null || versions.contains(session.getProtocol())) {
            return next.startCall(call, headers);
        }
        String protocol = session.getProtocol();
        AuthorizationDecision decision = new AuthorizationDecision(null, METHOD,
                "/" + call.getMethodDescriptor().getFullMethodName(), AuthorizationPolicy.DEFAULT_RULE, Outcome.DENY,
                "the connection is " + protocol + ", not one of " + accepted + " (spiffe.server.tls-versions)")
            .withTransport(AuthorizationDecision.GRPC);
        for (AuthorizationDecisionListener listener : listeners) {
            listener.onDecision(decision);
        }
        call.close(Status.UNAUTHENTICATED.withDescription(protocol + " is not accepted"), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
