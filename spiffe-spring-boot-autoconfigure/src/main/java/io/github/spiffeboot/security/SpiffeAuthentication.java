package io.github.spiffeboot.security;

import java.security.cert.X509Certificate;
import java.util.Collection;

import io.github.spiffeboot.id.SpiffeId;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/**
 * A caller authenticated by the SPIFFE ID in the X.509-SVID it presented in the TLS handshake. The
 * principal is the {@link SpiffeId}; {@link #getName()} is the ID string.
 */
public final class SpiffeAuthentication extends AbstractAuthenticationToken {

    private final SpiffeId spiffeId;

    private final transient X509Certificate certificate;

    public SpiffeAuthentication(SpiffeId spiffeId, X509Certificate certificate,
            Collection<? extends GrantedAuthority> authorities) {
        super(authorities);
        this.spiffeId = spiffeId;
        this.certificate = certificate;
        setAuthenticated(true);
    }

    @Override
    public SpiffeId getPrincipal() {
        return spiffeId;
    }

    /** The client's leaf certificate. */
    @Override
    public X509Certificate getCredentials() {
        return certificate;
    }

    @Override
    public String getName() {
        return spiffeId.toString();
    }
}
