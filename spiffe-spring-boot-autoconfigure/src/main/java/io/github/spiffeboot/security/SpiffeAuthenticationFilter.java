package io.github.spiffeboot.security;

import java.io.IOException;
import java.security.cert.X509Certificate;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.X509SvidProfile;
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
 * Authenticates the caller from the client certificate of the TLS connection. The chain was verified
 * in the handshake by the SPIFFE trust manager; this filter reads the leaf's SPIFFE ID (checking the
 * X509-SVID leaf profile once more, in case TLS was set up some other way) and never fails a request
 * itself: a request without a usable SVID stays unauthenticated and authorization answers 401.
 */
public final class SpiffeAuthenticationFilter extends OncePerRequestFilter {

    static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private static final Log logger = LogFactory.getLog(SpiffeAuthenticationFilter.class);

    private final SpiffeAuthorities authorities;

    private SecurityContextHolderStrategy contextHolder = SecurityContextHolder.getContextHolderStrategy();

    public SpiffeAuthenticationFilter(SpiffeAuthorities authorities) {
        this.authorities = authorities;
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
        try {
            SpiffeId id = X509SvidProfile.checkLeaf(chain[0]);
            return new SpiffeAuthentication(id, chain[0], authorities.of(id));
        }
        catch (SvidVerificationException ex) {
            logger.debug("Client certificate is no X.509-SVID: " + ex.getMessage());
            return null;
        }
    }
}
