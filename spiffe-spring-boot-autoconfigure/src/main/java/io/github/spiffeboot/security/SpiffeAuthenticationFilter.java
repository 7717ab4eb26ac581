package io.github.spiffeboot.security;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.X509BundleSet;
import io.github.spiffeboot.svid.X509SvidVerifier;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates the caller from the client certificate chain of the TLS connection. The chain is
 * verified the SPIFFE way here too (X509-SVID profile, bundle of the ID's own trust domain), so that the
 * filter is safe even where TLS was set up some other way ({@code server.ssl.*} with a flat trust
 * store, say); results are cached per certificate until the bundles change. It never fails a request
 * itself: a request without a valid SVID stays unauthenticated and authorization answers 401.
 */
public final class SpiffeAuthenticationFilter extends OncePerRequestFilter {

    static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private static final int CACHE_LIMIT = 10_000;

    private static final Log logger = LogFactory.getLog(SpiffeAuthenticationFilter.class);

    private final SpiffeAuthorities authorities;

    private final X509ContextSource source;

    private final X509SvidVerifier verifier = new X509SvidVerifier();

    private final Map<X509Certificate, SpiffeId> verified = new ConcurrentHashMap<>();

    private volatile X509BundleSet verifiedWith;

    private SecurityContextHolderStrategy contextHolder = SecurityContextHolder.getContextHolderStrategy();

    public SpiffeAuthenticationFilter(SpiffeAuthorities authorities, X509ContextSource source) {
        this.authorities = authorities;
        this.source = source;
    }

    public void setSecurityContextHolderStrategy(SecurityContextHolderStrategy strategy) {
        this.contextHolder = strategy;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        SpiffeAuthentication authentication = authenticate(request);
        if (authentication != null) {
            SecurityContext context = contextHolder.createEmptyContext();
            context.setAuthentication(authentication);
            contextHolder.setContext(context);
        }
        chain.doFilter(request, response);
    }

    private SpiffeAuthentication authenticate(HttpServletRequest request) {
        if (!(request.getAttribute(CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] chain) || chain.length == 0) {
            return null;
        }
        SpiffeId id = verify(chain);
        return (id != null) ? new SpiffeAuthentication(id, chain[0], authorities.of(id)) : null;
    }

    private SpiffeId verify(X509Certificate[] chain) {
        X509BundleSet bundles = source.current().bundles();
        if (bundles != verifiedWith || verified.size() > CACHE_LIMIT) {
            verified.clear();
            verifiedWith = bundles;
        }
        SpiffeId cached = verified.get(chain[0]);
        // Expiry is checked again on every request; the chain was verified with these bundles.
        if (cached != null && chain[0].getNotAfter().getTime() > System.currentTimeMillis()) {
            return cached;
        }
        try {
            SpiffeId id = verifier.verify(chain, bundles);
            verified.put(chain[0], id);
            return id;
        }
        catch (SvidVerificationException ex) {
            logger.debug("Client certificate is no valid X.509-SVID: " + ex.getMessage());
            return null;
        }
    }
}
