package io.github.spiffeboot.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.id.SpiffeId;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The authorities a SPIFFE ID is granted. A stable naming scheme:
 * <ul>
 * <li>{@code SPIFFE_ID:<id>}, for example {@code SPIFFE_ID:spiffe://example.org/ns/prod/sa/order-service};</li>
 * <li>{@code SPIFFE_TRUST_DOMAIN:<trust domain>}, for example {@code SPIFFE_TRUST_DOMAIN:example.org};</li>
 * <li>{@code ROLE_<NAME>} for each configured role ({@code spiffe.authz.roles.<NAME>}) whose patterns match.</li>
 * </ul>
 */
public final class SpiffeAuthorities {

    /** Prefix of the authority naming the exact ID. */
    public static final String ID_PREFIX = "SPIFFE_ID:";

    /** Prefix of the authority naming the trust domain. */
    public static final String TRUST_DOMAIN_PREFIX = "SPIFFE_TRUST_DOMAIN:";

    private final Map<String, CallerSet> roles;

    /**
     * @param roles role names (without {@code ROLE_}) and the callers who have them
     */
    public SpiffeAuthorities(Map<String, CallerSet> roles) {
        this.roles = new LinkedHashMap<>(roles);
    }

    public List<GrantedAuthority> of(SpiffeId id) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        authorities.add(new SimpleGrantedAuthority(ID_PREFIX + id));
        authorities.add(new SimpleGrantedAuthority(TRUST_DOMAIN_PREFIX + id.trustDomain()));
        roles.forEach((role, callers) -> {
            if (callers.contains(id)) {
                authorities.add(new SimpleGrantedAuthority("ROLE_" + role));
            }
        });
        return authorities;
    }
}
