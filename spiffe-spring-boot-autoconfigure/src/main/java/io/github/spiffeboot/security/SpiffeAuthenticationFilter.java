package io.github.spiffeboot.security;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collections;

import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.X509SvidVerifier;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates the caller from the client certificate chain of the TLS connection, on every request and
 * every dispatch of it (async and error dispatches included), and only from it: whatever security context
 * was there before (loaded from an HTTP session, say) is replaced, so a request whose connection carries
 * no valid SVID is unauthenticated whatever came before, and authorization answers 401.
 * <p>
 * The chain is verified the SPIFFE way here too (X509-SVID profile, bundle of the ID's own trust domain),
 * so that the filter is safe even where TLS was set up some other way ({@code server.ssl.*} with a flat
 * trust store, say). Results are remembered per chain until the bundles change (see
 * {@link VerifiedCallers}), so a keep-alive connection pays for verification once.
 * <p>
 * Where the service accepts JWT-SVIDs ({@code spiffe.jwt.*}), {@link JwtSvidCallers} decides whether the
 * TLS peer or a JWT-SVID speaks for the caller; either way the caller is a {@link SpiffeAuthentication}
 * with the same authorities.
 */
public final class SpiffeAuthenticationFilter extends OncePerRequestFilter {

    static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private static final Log logger = LogFactory.getLog(SpiffeAuthenticationFilter.class);

    private final VerifiedCallers callers;

    private final JwtSvidCallers jwtSvidCallers;

    private final Clock clock;

    private SecurityContextHolderStrategy contextHolder = SecurityContextHolder.getContextHolderStrategy();

    public SpiffeAuthenticationFilter(SpiffeAuthorities authorities, X509ContextSource source) {
        this(authorities, source, null);
    }

    /**
     * @param jwtSvidCallers which credential speaks for the caller where JWT-SVIDs are accepted, or
     * {@code null} where they are not (the TLS peer is always the caller, bearer tokens are ignored)
     */
    public SpiffeAuthenticationFilter(SpiffeAuthorities authorities, X509ContextSource source,
            JwtSvidCallers jwtSvidCallers) {
        this(new VerifiedCallers(source, new X509SvidVerifier()::verify, authorities, Clock.systemUTC()),
                jwtSvidCallers, Clock.systemUTC());
    }

    SpiffeAuthenticationFilter(VerifiedCallers callers, Clock clock) {
        this(callers, null, clock);
    }

    SpiffeAuthenticationFilter(VerifiedCallers callers, JwtSvidCallers jwtSvidCallers, Clock clock) {
        this.callers = callers;
        this.jwtSvidCallers = jwtSvidCallers;
        this.clock = clock;
    }

    public void setSecurityContextHolderStrategy(SecurityContextHolderStrategy strategy) {
        this.contextHolder = strategy;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        SecurityContext context = contextHolder.createEmptyContext();
        context.setAuthentication(authenticate(request, response));
        contextHolder.setContext(context);
        chain.doFilter(request, response);
    }

    /**
     * A keep-alive connection is authenticated by the certificate of its handshake for as long as it lives,
     * while the client rotates its SVID underneath: pooled connections would go on presenting a certificate
     * that expires. So a connection is closed after the response once its chain no longer verifies, or
     * once it nears its end (see {@link VerifiedCallers.Caller#renewAt()}): the client's next request opens
     * a new connection with its current SVID, and no request fails for an expired one. HTTP/1.1 only, where
     * {@code Connection: close} means exactly that.
     */
    private void closeConnectionAfterResponse(HttpServletRequest request, HttpServletResponse response) {
        if ("HTTP/1.1".equals(request.getProtocol()) && !response.isCommitted()) {
            response.setHeader("Connection", "close");
        }
    }

    /** An async dispatch is a request too: nothing else would carry the identity there. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    /** Error pages are authorized like any request, so they need the caller too. */
    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    private SpiffeAuthentication authenticate(HttpServletRequest request, HttpServletResponse response) {
        if (jwtSvidCallers == null) {
            return tlsPeer(request, response);
        }
        // Each dispatch decides afresh; a rejection noted by an earlier dispatch must not linger.
        request.removeAttribute(JwtSvidCallers.REJECTION_ATTRIBUTE);
        JwtSvidCallers.Outcome outcome = jwtSvidCallers.caller(
                jwtSvidCallers.usesTlsPeer() ? tlsPeer(request, response) : null,
                () -> Collections.list(request.getHeaders(HttpHeaders.AUTHORIZATION)));
        if (outcome.rejection() != null) {
            request.setAttribute(JwtSvidCallers.REJECTION_ATTRIBUTE, outcome.rejection());
        }
        return outcome.caller();
    }

    private SpiffeAuthentication tlsPeer(HttpServletRequest request, HttpServletResponse response) {
        if (!(request.getAttribute(CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] chain) || chain.length == 0) {
            return null;
        }
        try {
            VerifiedCallers.Caller caller = callers.verify(chain);
            if (clock.millis() >= caller.renewAt()) {
                closeConnectionAfterResponse(request, response);
            }
            return new SpiffeAuthentication(caller.id(), chain[0], caller.authorities());
        }
        catch (SvidVerificationException ex) {
            if (logger.isDebugEnabled()) {
                logger.debug("Client certificate is no valid X.509-SVID: " + ex.getMessage());
            }
            closeConnectionAfterResponse(request, response);
            return null;
        }
    }
}
