package io.github.spiffeboot.security;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.Credential;
import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.jwt.JwtSvidRejectedException;
import io.github.spiffeboot.jwt.JwtSvidRejection;
import io.github.spiffeboot.jwt.JwtSvidValidator;
import io.github.spiffeboot.jwt.JwtValidationListener;
import io.github.spiffeboot.jwt.ValidatedJwtSvid;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Decides which credential speaks for the caller of a request, and checks the JWT-SVID where one does; the
 * same decision for every transport (servlet, WebFlux, gRPC), which each hand in the TLS peer and the
 * request's {@code Authorization} values:
 * <ul>
 * <li>By default the TLS peer is the caller, and a bearer token it sends is ignored: a token never
 * grants anything to a service that did not opt in, nor lets an mTLS client claim another ID.</li>
 * <li>When the TLS peer is a trusted proxy (its SPIFFE ID matches {@code spiffe.jwt.trusted-proxies}),
 * the caller is the {@code sub} of the JWT-SVID the proxy forwards; without a valid token the request is
 * unauthenticated (never the proxy's own).</li>
 * <li>A JWT-only service (TLS terminated before it) takes the caller from the JWT-SVID alone.</li>
 * </ul>
 * A refused token leaves the request unauthenticated (401, or {@code UNAUTHENTICATED} on gRPC), with the
 * reason in the {@link Outcome} for the audit line (transports keep it under {@link #REJECTION_ATTRIBUTE});
 * it never fails the request otherwise.
 */
public final class JwtSvidCallers {

    /** Request or exchange attribute holding the {@link JwtSvidRejection} of a refused bearer token. */
    public static final String REJECTION_ATTRIBUTE = JwtSvidCallers.class.getName() + ".rejection";

    private static final Log logger = LogFactory.getLog(JwtSvidCallers.class);

    private static final String BEARER = "Bearer ";

    /** Authorities per caller ID, bounded like the other per-caller caches. */
    static final int CACHED_CALLERS = 10_000;

    /**
     * Who the caller is, or why there is none.
     *
     * @param caller the caller, or {@code null} if the request is unauthenticated
     * @param rejection why a bearer token that would have named the caller was refused, or {@code null}
     */
    public record Outcome(SpiffeAuthentication caller, JwtSvidRejection rejection) {
    }

    private final JwtSvidValidator validator;

    private final CallerSet trustedProxies;

    private final boolean jwtOnly;

    private final SpiffeAuthorities authorities;

    private final List<JwtValidationListener> listeners;

    private final int maxHeaderLength;

    private final Map<SpiffeId, List<GrantedAuthority>> authoritiesById = new ConcurrentHashMap<>();

    /**
     * @param trustedProxies TLS peers whose forwarded JWT-SVID names the caller
     * @param jwtOnly whether the caller always comes from a JWT-SVID (TLS terminated before this service)
     * @param maxTokenLength the longest token looked at; a longer {@code Authorization} header is refused
     * before any parsing
     */
    public JwtSvidCallers(JwtSvidValidator validator, CallerSet trustedProxies, boolean jwtOnly,
            SpiffeAuthorities authorities, List<JwtValidationListener> listeners, int maxTokenLength) {
        this.validator = validator;
        this.trustedProxies = trustedProxies;
        this.jwtOnly = jwtOnly;
        this.authorities = authorities;
        this.listeners = List.copyOf(listeners);
        this.maxHeaderLength = maxTokenLength + BEARER.length();
    }

    /** Whether the TLS peer's certificate matters at all (not for a JWT-only service). */
    public boolean usesTlsPeer() {
        return !jwtOnly;
    }

    /**
     * The caller of a request.
     * @param tlsPeer the caller the TLS connection proved, or {@code null}
     * @param authorization the request's {@code Authorization} values (read only when a token can speak
     * for the caller: most requests never need them)
     */
    public Outcome caller(SpiffeAuthentication tlsPeer, Supplier<? extends Iterable<String>> authorization) {
        if (!jwtOnly && (tlsPeer == null || !trustedProxies.contains(tlsPeer.getPrincipal()))) {
            return new Outcome(tlsPeer, null);
        }
        SpiffeId via = (tlsPeer != null) ? tlsPeer.getPrincipal() : null;
        Iterable<String> values = authorization.get();
        Iterator<String> headers = (values != null) ? values.iterator() : null;
        if (headers == null || !headers.hasNext()) {
            return refuse(JwtSvidRejection.MISSING, "no bearer token", via);
        }
        String header = headers.next();
        if (headers.hasNext()) {
            // Which one would an intermediary have looked at? None of them speaks for the caller.
            return refuse(JwtSvidRejection.MALFORMED, "more than one Authorization header", via);
        }
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length() - 1)) {
            return refuse(JwtSvidRejection.MISSING, "no bearer token", via);
        }
        if (header.length() > maxHeaderLength) {
            return refuse(JwtSvidRejection.TOO_LARGE, "the Authorization header is too long", via);
        }
        String token = bearerToken(header);
        if (token == null) {
            return refuse(JwtSvidRejection.MALFORMED, "the bearer token is malformed", via);
        }
        try {
            ValidatedJwtSvid svid = validator.validate(token);
            tell(null);
            return new Outcome(SpiffeAuthentication.jwtSvid(svid.id(), svid.jwt(), via, authoritiesOf(svid.id())),
                    null);
        }
        catch (JwtSvidRejectedException ex) {
            return refuse(ex.getReason(), ex.getMessage(), via);
        }
    }

    /**
     * The token of {@code Bearer <b64token>} (RFC 6750, section 2.1: exactly one space, then the token
     * characters, then only trailing {@code =}), or {@code null} if the header is not of that form.
     */
    static String bearerToken(String header) {
        int start = BEARER.length();
        if (header.length() <= start || header.charAt(start - 1) != ' ') {
            return null;
        }
        int end = header.length();
        int padding = end;
        while (padding > start && header.charAt(padding - 1) == '=') {
            padding--;
        }
        if (padding == start) {
            return null;
        }
        for (int i = start; i < padding; i++) {
            char c = header.charAt(i);
            boolean tokenChar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
            if (!tokenChar) {
                return null;
            }
        }
        return header.substring(start);
    }

    /**
     * The decision as the audit line and metrics should see it: the credential that proved the caller, or,
     * when a bearer token was refused, the refusal's reason (so that a 401's audit line says why).
     * @param rejection the refusal kept on the request, or {@code null}
     */
    public static AuthorizationDecision recorded(AuthorizationDecision decision, Authentication authenticated,
            Object rejection) {
        if (authenticated instanceof SpiffeAuthentication spiffe) {
            return decision.withCredential(spiffe.getCredentialType());
        }
        if (rejection != null) {
            return new AuthorizationDecision(null, decision.method(), decision.path(), decision.rule(),
                    decision.outcome(), "no SPIFFE identity: JWT-SVID refused (" + rejection + ")", decision.transport(),
                    Credential.JWT_SVID);
        }
        return decision;
    }

    private List<GrantedAuthority> authoritiesOf(SpiffeId id) {
        List<GrantedAuthority> granted = authoritiesById.get(id);
        if (granted == null) {
            granted = List.copyOf(authorities.of(id));
            if (authoritiesById.size() >= CACHED_CALLERS) {
                authoritiesById.clear();
            }
            authoritiesById.put(id, granted);
        }
        return granted;
    }

    private Outcome refuse(JwtSvidRejection rejection, String detail, SpiffeId via) {
        tell(rejection);
        if (logger.isDebugEnabled()) {
            // The detail may quote the token's own header or claims: no control characters reach the log.
            logger.debug("Refused a JWT-SVID" + ((via != null) ? " forwarded by " + via : "") + ": "
                    + detail.replaceAll("\\p{Cntrl}", "?"));
        }
        return new Outcome(null, rejection);
    }

    private void tell(JwtSvidRejection rejection) {
        for (JwtValidationListener listener : listeners) {
            try {
                listener.onValidation(rejection);
            }
            catch (RuntimeException ex) {
                logger.error("A JWT validation listener failed", ex);
            }
        }
    }
}
