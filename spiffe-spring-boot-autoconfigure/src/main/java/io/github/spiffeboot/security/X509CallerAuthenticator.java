package io.github.spiffeboot.security;

import java.security.cert.X509Certificate;
import java.time.Clock;

import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.X509SvidVerifier;

/**
 * Turns the certificate chain a peer presented into the caller's {@link SpiffeAuthentication}, with the same
 * verification, cache and authorities as {@link SpiffeAuthenticationFilter}: for transports other than the
 * servlet request (gRPC), so that a caller is the same {@code Authentication} whichever way it came in.
 */
public final class X509CallerAuthenticator {

    private final VerifiedCallers callers;

    public X509CallerAuthenticator(SpiffeAuthorities authorities, X509ContextSource source) {
        this.callers = new VerifiedCallers(source, new X509SvidVerifier()::verify, authorities, Clock.systemUTC());
    }

    /**
     * The caller this chain proves, verified the SPIFFE way against the current bundles (remembered per
     * chain until they change).
     * @param chain the peer's chain, leaf first; not empty
     * @throws SvidVerificationException with the reason, if the chain is no valid X509-SVID
     */
    public SpiffeAuthentication authenticate(X509Certificate[] chain) throws SvidVerificationException {
        VerifiedCallers.Caller caller = callers.verify(chain);
        return new SpiffeAuthentication(caller.id(), chain[0], caller.authorities());
    }
}
