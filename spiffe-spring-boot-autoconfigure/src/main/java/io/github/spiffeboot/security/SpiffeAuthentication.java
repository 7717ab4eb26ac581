package io.github.spiffeboot.security;

import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Objects;

import io.github.spiffeboot.authz.Credential;
import io.github.spiffeboot.id.SpiffeId;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/**
 * A caller authenticated by its SPIFFE ID: from the X.509-SVID it presented in the TLS handshake, or from a
 * JWT-SVID where the service accepts those (see {@link #getCredentialType()}). The principal is the
 * {@link SpiffeId}; {@link #getName()} is the ID string. Authorities and authorization are the same for
 * both credentials.
 */
public final class SpiffeAuthentication extends AbstractAuthenticationToken {

    private final SpiffeId spiffeId;

    private final transient Object credentials;

    private final Credential credentialType;

    private final SpiffeId via;

    /** A caller proved by its X.509-SVID; {@code certificate} is its leaf. */
    public SpiffeAuthentication(SpiffeId spiffeId, X509Certificate certificate,
            Collection<? extends GrantedAuthority> authorities) {
        this(spiffeId, certificate, Credential.X509_SVID, null, authorities);
    }

    /**
     * A caller proved by a JWT-SVID.
     * @param token the validated token (Spring Security's {@code Jwt})
     * @param via the TLS peer that forwarded the token (a trusted proxy), or {@code null}
     */
    public static SpiffeAuthentication jwtSvid(SpiffeId spiffeId, Object token, SpiffeId via,
            Collection<? extends GrantedAuthority> authorities) {
        return new SpiffeAuthentication(spiffeId, Objects.requireNonNull(token), Credential.JWT_SVID, via, authorities);
    }

    private SpiffeAuthentication(SpiffeId spiffeId, Object credentials, Credential credentialType, SpiffeId via,
            Collection<? extends GrantedAuthority> authorities) {
        super(authorities);
        this.spiffeId = spiffeId;
        this.credentials = credentials;
        this.credentialType = credentialType;
        this.via = via;
        setAuthenticated(true);
    }

    @Override
    public SpiffeId getPrincipal() {
        return spiffeId;
    }

    /**
     * The client's leaf certificate ({@link Credential#X509_SVID}) or the validated token, a Spring Security
     * {@code Jwt} ({@link Credential#JWT_SVID}).
     */
    @Override
    public Object getCredentials() {
        return credentials;
    }

    /** Which credential proved the ID. */
    public Credential getCredentialType() {
        return credentialType;
    }

    /** The trusted proxy (the TLS peer) that forwarded the caller's JWT-SVID, or {@code null}. */
    public SpiffeId getVia() {
        return via;
    }

    @Override
    public String getName() {
        return spiffeId.toString();
    }
}
