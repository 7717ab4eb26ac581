package io.github.spiffeboot.reactive;

import java.security.cert.X509Certificate;
import java.time.Clock;

import io.github.spiffeboot.security.JwtSvidCallers;
import io.github.spiffeboot.security.SpiffeAuthentication;
import io.github.spiffeboot.security.VerifiedCallers;
import io.github.spiffeboot.svid.SvidVerificationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Authenticates the caller of every exchange from the client certificate chain of its TLS connection
 * ({@link ServerHttpRequest#getSslInfo()}), and only from it: nothing is loaded from or saved to a session,
 * so an exchange whose connection carries no valid SVID is unauthenticated, and authorization answers 401.
 * <p>
 * The chain is verified the SPIFFE way here too ({@link VerifiedCallers}: X509-SVID profile, bundle of the
 * ID's own trust domain, remembered per chain until the bundles change), so a keep-alive connection pays
 * for verification once, and a server whose TLS was set up some other way cannot let one trust domain's CA
 * vouch for another's IDs. A connection is closed after the response once its chain no longer verifies or
 * nears its end ({@link VerifiedCallers.Caller#renewAt()}), so pooled clients reconnect with their current
 * SVID.
 * <p>
 * Where the service accepts JWT-SVIDs ({@code spiffe.jwt.trusted-proxies} or {@code jwt-only}),
 * {@link JwtSvidCallers} decides whether the TLS peer or a JWT-SVID speaks for the caller, exactly as on
 * the servlet side; a refused token's reason stays on the exchange for the audit line and the 401.
 */
public final class SpiffeAuthenticationWebFilter implements WebFilter {

    private static final Log logger = LogFactory.getLog(SpiffeAuthenticationWebFilter.class);

    private final VerifiedCallers callers;

    private final JwtSvidCallers jwtSvidCallers;

    private final Clock clock;

    public SpiffeAuthenticationWebFilter(VerifiedCallers callers, Clock clock) {
        this(callers, null, clock);
    }

    /**
     * @param jwtSvidCallers which credential speaks for the caller where JWT-SVIDs are accepted, or
     * {@code null} where they are not (the TLS peer is always the caller, bearer tokens are ignored)
     */
    public SpiffeAuthenticationWebFilter(VerifiedCallers callers, JwtSvidCallers jwtSvidCallers, Clock clock) {
        this.callers = callers;
        this.jwtSvidCallers = jwtSvidCallers;
        this.clock = clock;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        SpiffeAuthentication authentication = authenticate(exchange);
        if (authentication == null) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange)
            .contextWrite(ReactiveSecurityContextHolder.withAuthentication(authentication));
    }

    private SpiffeAuthentication authenticate(ServerWebExchange exchange) {
        if (jwtSvidCallers == null) {
            return tlsPeer(exchange);
        }
        JwtSvidCallers.Outcome outcome = jwtSvidCallers.caller(
                jwtSvidCallers.usesTlsPeer() ? tlsPeer(exchange) : null,
                () -> exchange.getRequest().getHeaders().getOrEmpty(HttpHeaders.AUTHORIZATION));
        if (outcome.rejection() != null) {
            exchange.getAttributes().put(JwtSvidCallers.REJECTION_ATTRIBUTE, outcome.rejection());
        }
        return outcome.caller();
    }

    private SpiffeAuthentication tlsPeer(ServerWebExchange exchange) {
        SslInfo ssl = exchange.getRequest().getSslInfo();
        X509Certificate[] chain = (ssl != null) ? ssl.getPeerCertificates() : null;
        if (chain == null || chain.length == 0) {
            return null;
        }
        try {
            VerifiedCallers.Caller caller = callers.verify(chain);
            if (clock.millis() >= caller.renewAt()) {
                closeConnectionAfterResponse(exchange);
            }
            return new SpiffeAuthentication(caller.id(), chain[0], caller.authorities());
        }
        catch (SvidVerificationException ex) {
            if (logger.isDebugEnabled()) {
                logger.debug("Client certificate is no valid X.509-SVID: " + ex.getMessage());
            }
            closeConnectionAfterResponse(exchange);
            return null;
        }
    }

    /** HTTP/1.1 closes a connection after a response that says {@code Connection: close}. */
    private static void closeConnectionAfterResponse(ServerWebExchange exchange) {
        exchange.getResponse().beforeCommit(() -> {
            exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
            return Mono.empty();
        });
    }
}
