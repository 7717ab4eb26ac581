package io.github.spiffeboot.grpc;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.AuthorizationDecision.Outcome;
import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.authz.NormalizedPath;
import io.github.spiffeboot.authz.RequestPaths;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.jwt.JwtSvidRejection;
import io.github.spiffeboot.security.JwtSvidCallers;
import io.github.spiffeboot.security.SpiffeAuthentication;
import io.github.spiffeboot.security.X509CallerAuthenticator;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;

/**
 * Authenticates every gRPC call by the X509-SVID of its TLS connection (or, where the service accepts
 * JWT-SVIDs, as {@link JwtSvidCallers} decides: a trusted proxy's forwarded token in the
 * {@code authorization} metadata, or the token alone for a JWT-only service) and decides it with the
 * {@link AuthorizationPolicy} ({@code spiffe.authz.allowed-callers}), once, when the call starts and before
 * its first message is read: a streaming call is authorized once for all its messages.
 * <p>
 * A call is decided as the HTTP/2 request it is, {@code POST /package.Service/Method}, so rules written
 * with {@code grpc-method} (or a path) cover it and nothing else needs to know about gRPC. A denied call is
 * closed with {@code UNAUTHENTICATED} when the caller presented no valid SVID, else
 * {@code PERMISSION_DENIED}; the service never sees it. Every decision goes to the same listeners (audit
 * line, metrics) as HTTP decisions, with {@code transport=grpc}.
 * <p>
 * An allowed call runs with the caller's {@link SpiffeAuthentication} in the Spring Security context (on
 * every callback of the call, whichever thread runs it), so {@code @PreAuthorize} and
 * {@code @AllowedCallers} work in the service. The chain is verified again here (cached per chain and
 * bundle set), so that a session the TLS layer resumed, or TLS set up some other way, never stands in for a
 * valid SVID.
 */
public final class SpiffeGrpcAuthorizationInterceptor implements ServerInterceptor {

    private static final Log logger = LogFactory.getLog(SpiffeGrpcAuthorizationInterceptor.class);

    /** What a gRPC call is on the wire. */
    private static final String METHOD = "POST";

    /** gRPC carries the bearer token as {@code authorization} metadata (HTTP/2 header names are lower case). */
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private final X509CallerAuthenticator authenticator;

    private final JwtSvidCallers jwtSvidCallers;

    private final AuthorizationPolicy policy;

    private final List<AuthorizationDecisionListener> listeners;

    private static final int MAX_METHODS = 10_000;

    private final Map<String, MethodPath> paths = new ConcurrentHashMap<>();

    private SecurityContextHolderStrategy contextHolder = SecurityContextHolder.getContextHolderStrategy();

    public SpiffeGrpcAuthorizationInterceptor(X509CallerAuthenticator authenticator, AuthorizationPolicy policy,
            List<AuthorizationDecisionListener> listeners) {
        this(authenticator, null, policy, listeners);
    }

    /**
     * @param jwtSvidCallers which credential speaks for the caller where JWT-SVIDs are accepted, or
     * {@code null} where they are not (the TLS peer is always the caller, {@code authorization} metadata is
     * ignored)
     */
    public SpiffeGrpcAuthorizationInterceptor(X509CallerAuthenticator authenticator, JwtSvidCallers jwtSvidCallers,
            AuthorizationPolicy policy, List<AuthorizationDecisionListener> listeners) {
        this.authenticator = authenticator;
        this.jwtSvidCallers = jwtSvidCallers;
        this.policy = policy;
        this.listeners = List.copyOf(listeners);
    }

    public void setSecurityContextHolderStrategy(SecurityContextHolderStrategy strategy) {
        this.contextHolder = strategy;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        SpiffeAuthentication authentication;
        JwtSvidRejection rejection = null;
        if (jwtSvidCallers == null) {
            authentication = authenticate(session);
        }
        else {
            JwtSvidCallers.Outcome outcome = jwtSvidCallers.caller(
                    jwtSvidCallers.usesTlsPeer() ? authenticate(session) : null, () -> headers.getAll(AUTHORIZATION));
            authentication = outcome.caller();
            rejection = outcome.rejection();
        }
        SpiffeId caller = (authentication != null) ? authentication.getPrincipal() : null;
        MethodPath method = methodPath(call.getMethodDescriptor().getFullMethodName());
        String path = method.path();
        AuthorizationDecision decision = JwtSvidCallers.recorded(
                decide(caller, method).withTransport(AuthorizationDecision.GRPC), authentication, rejection);
        for (AuthorizationDecisionListener listener : listeners) {
            listener.onDecision(decision);
        }
        if (!decision.permitted()) {
            Status status = (caller == null) ? Status.UNAUTHENTICATED.withDescription(unauthenticated(rejection))
                    : Status.PERMISSION_DENIED.withDescription(caller + " may not call " + path.substring(1));
            call.close(status, new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        SecurityContext context = contextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        return new SecurityContextListener<>(withContext(context, () -> next.startCall(call, headers)), context,
                contextHolder);
    }

    /** Why a call has no caller, in words fit for the client (the audit line has the exact reason). */
    private String unauthenticated(JwtSvidRejection rejection) {
        if (rejection != null) {
            return "JWT-SVID refused";
        }
        return (jwtSvidCallers != null && !jwtSvidCallers.usesTlsPeer()) ? "no valid JWT-SVID" : "no valid X509-SVID";
    }

    private MethodPath methodPath(String fullMethodName) {
        MethodPath known = paths.get(fullMethodName);
        if (known != null) {
            return known;
        }
        MethodPath path = MethodPath.of(fullMethodName);
        if (paths.size() < MAX_METHODS) {
            paths.put(fullMethodName, path);
        }
        return path;
    }

    private AuthorizationDecision decide(SpiffeId caller, MethodPath method) {
        if (method.normalized() == null) {
            return new AuthorizationDecision(caller, METHOD, method.path(), AuthorizationPolicy.DEFAULT_RULE,
                    Outcome.DENY, "the method name cannot be read as a path");
        }
        return policy.decide(caller, METHOD, method.path(), method.normalized());
    }

    /**
     * A method's path, read once per method: normally only methods the server has registered reach an
     * interceptor (gRPC answers any other {@code :path} with {@code UNIMPLEMENTED}); the map is bounded all the
     * same, for servers with a fallback handler registry.
     */
    private record MethodPath(String path, NormalizedPath normalized) {

        static MethodPath of(String fullMethodName) {
            String path = "/" + fullMethodName;
            try {
                return new MethodPath(path, RequestPaths.normalize(path));
            }
            catch (IllegalArgumentException ex) {
                return new MethodPath(path, null);
            }
        }
    }

    private SpiffeAuthentication authenticate(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] certificates = session.getPeerCertificates();
            if (certificates.length == 0) {
                return null;
            }
            X509Certificate[] chain = new X509Certificate[certificates.length];
            for (int i = 0; i < certificates.length; i++) {
                if (!(certificates[i] instanceof X509Certificate certificate)) {
                    return null;
                }
                chain[i] = certificate;
            }
            return authenticator.authenticate(chain);
        }
        catch (SSLPeerUnverifiedException ex) {
            return null;
        }
        catch (SvidVerificationException ex) {
            if (logger.isDebugEnabled()) {
                logger.debug("Client certificate is no valid X.509-SVID: " + ex.getMessage());
            }
            return null;
        }
    }

    private <T> T withContext(SecurityContext context, java.util.function.Supplier<T> action) {
        SecurityContext previous = contextHolder.getContext();
        contextHolder.setContext(context);
        try {
            return action.get();
        }
        finally {
            contextHolder.setContext(previous);
        }
    }

    /**
     * Runs every callback of an allowed call with the caller's security context, and restores what the
     * thread had before: gRPC runs a call's callbacks on pooled threads, one after another.
     */
    private static final class SecurityContextListener<Q> extends ServerCall.Listener<Q> {

        private final ServerCall.Listener<Q> delegate;

        private final SecurityContext context;

        private final SecurityContextHolderStrategy holder;

        SecurityContextListener(ServerCall.Listener<Q> delegate, SecurityContext context,
                SecurityContextHolderStrategy holder) {
            this.delegate = delegate;
            this.context = context;
            this.holder = holder;
        }

        private void run(Runnable callback) {
            SecurityContext previous = holder.getContext();
            holder.setContext(context);
            try {
                callback.run();
            }
            finally {
                holder.setContext(previous);
            }
        }

        @Override
        public void onMessage(Q message) {
            run(() -> delegate.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            run(delegate::onHalfClose);
        }

        @Override
        public void onCancel() {
            run(delegate::onCancel);
        }

        @Override
        public void onComplete() {
            run(delegate::onComplete);
        }

        @Override
        public void onReady() {
            run(delegate::onReady);
        }
    }
}
