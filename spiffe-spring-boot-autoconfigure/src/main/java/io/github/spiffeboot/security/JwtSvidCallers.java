package io.github.spiffeboot.security;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.jwt.JwtSvidRejectedException;
import io.github.spiffeboot.jwt.JwtSvidRejection;
import io.github.spiffeboot.jwt.JwtSvidValidator;
import io.github.spiffeboot.jwt.JwtValidationListener;
import io.github.spiffeboot.jwt.ValidatedJwtSvid;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/**
 * Decides which credential speaks for the caller of a request, and checks the JWT-SVID where one does:
 * <ul>
 * <li>By default the TLS peer is the caller, and a bearer token it sends is ignored: a token never
 * grants anything to a service that did not opt in, nor lets an mTLS client claim another ID.</li>
 * <li>When the TLS peer is a trusted proxy (its SPIFFE ID matches {@code spiffe.jwt.trusted-proxies}),
 * the caller is the {@code sub} of the JWT-SVID the proxy forwards; without a valid token the request is
 * unauthenticated (never the proxy's own).</li>
 * <li>A JWT-only service (TLS terminated before it) takes the caller from the JWT-SVID alone.</li>
 * </ul>
 * A refused token leaves the request unauthenticated (401), with the reason in the request attribute
 * {@link #REJECTION_ATTRIBUTE} for the audit line; it never fails the request otherwise.
 */
public final class JwtSvidCallers {

    /** Request attribute holding the {@link JwtSvidRejection} of a refused bearer token. */
    public static final String REJECTION_ATTRIBUTE = JwtSvidCallers.class.getName() + ".rejection";

    private static final Log logger = LogFactory.getLog(JwtSvidCallers.class);

    private static final String BEARER = "Bearer ";

    /** Authorities per caller ID, bounded like the other per-caller caches. */
    static final int CACHED_CALLERS = 10_000;

    private final JwtSvidValidator validator;

    private final CallerSet trustedProxies;

    private final boolean jwtOnly;

    private final SpiffeAuthorities authorities;

    private final List<JwtValidationListener> listeners;

    private final int maxHeaderLength;

    private final BearerTokenResolver resolver = new DefaultBearerTokenResolver();

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
    boolean usesTlsPeer() {
        return !jwtOnly;
    }

    /**
     * The caller of this request.
     * @param tlsPeer the caller the TLS connection proved, or {@code null}
     * @return the caller, or {@code null} if the request is unauthenticated
     */
    SpiffeAuthentication caller(HttpServletRequest request, SpiffeAuthentication tlsPeer) {
        if (!jwtOnly && (tlsPeer == null || !trustedProxies.contains(tlsPeer.getPrincipal()))) {
            return tlsPeer;
        }
        SpiffeId via = (tlsPeer != null) ? tlsPeer.getPrincipal() : null;
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.length() > maxHeaderLength) {
            return refuse(request, JwtSvidRejection.TOO_LARGE, "the Authorization header is too long", via);
        }
        String token;
        try {
            token = resolver.resolve(request);
        }
        catch (OAuth2AuthenticationException ex) {
            return refuse(request, JwtSvidRejection.MALFORMED, "the bearer token is malformed", via);
        }
        if (token == null) {
            return refuse(request, JwtSvidRejection.MISSING, "no bearer token", via);
        }
        try {
            ValidatedJwtSvid svid = validator.validate(token);
            tell(null);
            return SpiffeAuthentication.jwtSvid(svid.id(), svid.jwt(), via, authoritiesOf(svid.id()));
        }
        catch (JwtSvidRejectedException ex) {
            return refuse(request, ex.getReason(), ex.getMessage(), via);
        }
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

    private SpiffeAuthentication refuse(HttpServletRequest request, JwtSvidRejection rejection, String detail,
            SpiffeId via) {
        request.setAttribute(REJECTION_ATTRIBUTE, rejection);
        tell(rejection);
        if (logger.isDebugEnabled()) {
            // The detail may quote the token's own header or claims: no control characters reach the log.
            logger.debug("Refused a JWT-SVID" + ((via != null) ? " forwarded by " + via : "") + ": "
                    + detail.replaceAll("\\p{Cntrl}", "?"));
        }
        return null;
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
