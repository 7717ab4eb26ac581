package io.github.spiffeboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.authz.InvalidRuleException;
import io.github.spiffeboot.authz.SpiffeIdPattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * JWT-SVIDs ({@code spiffe.jwt.*}): off unless enabled. Enabled, the application gets JWT bundles and
 * JWT-SVIDs from the Workload API (same socket and retry settings as {@code spiffe.workload-api.*}),
 * clients can send JWT-SVIDs ({@code spiffe.client.servers.<name>.jwt-audience}), and the service accepts
 * them from trusted proxies, or from anyone if it is JWT-only; otherwise the TLS peer stays the caller.
 */
@Validated
@ConfigurationProperties("spiffe.jwt")
public class SpiffeJwtProperties implements Validator {

    /**
     * Whether to fetch JWT bundles and JWT-SVIDs from the Workload API.
     */
    private boolean enabled;

    /**
     * The audiences this service accepts in incoming JWT-SVIDs ('aud' must name one). Required to accept
     * any token.
     */
    private List<String> audiences = new ArrayList<>();

    /**
     * SPIFFE IDs or patterns of TLS peers (proxies, gateways) whose forwarded JWT-SVID names the caller.
     * Their requests must carry a valid JWT-SVID; other peers are callers themselves and their bearer
     * tokens are ignored.
     */
    private List<String> trustedProxies = new ArrayList<>();

    /**
     * Whether the caller comes from the JWT-SVID only, for a service whose TLS is terminated before it;
     * every request must then carry a valid JWT-SVID.
     */
    private boolean jwtOnly;

    /**
     * How far 'exp' and 'nbf' may be off the local clock.
     */
    private Duration clockSkew = Duration.ofSeconds(30);

    /**
     * Longest bearer token looked at; longer ones are refused before any parsing.
     */
    private DataSize maxTokenSize = DataSize.ofKilobytes(8);

    /**
     * How long one FetchJWTSVID call to the Workload API may take.
     */
    private Duration fetchTimeout = Duration.ofSeconds(5);

    /** Whether incoming JWT-SVIDs can ever name the caller. */
    public boolean acceptsTokens() {
        return enabled && (jwtOnly || !trustedProxies.isEmpty());
    }

    @Override
    public boolean supports(Class<?> clazz) {
        return SpiffeJwtProperties.class.isAssignableFrom(clazz);
    }

    @Override
    public void validate(Object target, Errors errors) {
        if (acceptsTokens() && audiences.isEmpty()) {
            errors.rejectValue("audiences", "missing",
                    "name the audience(s) this service accepts in JWT-SVIDs (for example its own SPIFFE ID)");
        }
        if (!enabled && (jwtOnly || !trustedProxies.isEmpty())) {
            errors.rejectValue("enabled", "missing", "trusted-proxies and jwt-only need spiffe.jwt.enabled=true");
        }
        for (int i = 0; i < audiences.size(); i++) {
            if (audiences.get(i) == null || audiences.get(i).isBlank()) {
                errors.rejectValue("audiences[" + i + "]", "invalid", "an audience cannot be empty");
            }
        }
        for (int i = 0; i < trustedProxies.size(); i++) {
            String pattern = trustedProxies.get(i);
            try {
                SpiffeIdPattern.parse(pattern);
            }
            catch (InvalidRuleException ex) {
                errors.rejectValue("trusted-proxies[" + i + "]", "invalid", ex.getMessage());
            }
        }
        if (clockSkew == null || clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            errors.rejectValue("clock-skew", "invalid", "must be between 0 and 5 minutes");
        }
        if (maxTokenSize == null || maxTokenSize.toBytes() < 256 || maxTokenSize.toBytes() > 1024 * 1024) {
            errors.rejectValue("max-token-size", "invalid", "must be between 256B and 1MB");
        }
        if (fetchTimeout == null || fetchTimeout.isNegative() || fetchTimeout.isZero()) {
            errors.rejectValue("fetch-timeout", "invalid", "must be a positive duration");
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public List<String> getAudiences() {
        return audiences;
    }

    public void setAudiences(List<String> audiences) {
        this.audiences = audiences;
    }

    public List<String> getTrustedProxies() {
        return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public boolean isJwtOnly() {
        return jwtOnly;
    }

    public void setJwtOnly(boolean jwtOnly) {
        this.jwtOnly = jwtOnly;
    }

    public Duration getClockSkew() {
        return clockSkew;
    }

    public void setClockSkew(Duration clockSkew) {
        this.clockSkew = clockSkew;
    }

    public DataSize getMaxTokenSize() {
        return maxTokenSize;
    }

    public void setMaxTokenSize(DataSize maxTokenSize) {
        this.maxTokenSize = maxTokenSize;
    }

    public Duration getFetchTimeout() {
        return fetchTimeout;
    }

    public void setFetchTimeout(Duration fetchTimeout) {
        this.fetchTimeout = fetchTimeout;
    }
}
