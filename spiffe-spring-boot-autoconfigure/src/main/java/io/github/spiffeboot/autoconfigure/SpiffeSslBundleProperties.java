package io.github.spiffeboot.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.authz.SpiffeIdPattern;
import io.github.spiffeboot.bundle.PeerVerification;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * The workload's SVID as a Spring Boot SSL bundle, under {@code spiffe.ssl-bundle.*}: Boot integrations
 * configured with {@code spring.kafka.ssl.bundle=spiffe}, {@code spring.data.redis.ssl.bundle=spiffe} and the
 * like present the SVID and verify their servers with it.
 */
@Validated
@ConfigurationProperties("spiffe.ssl-bundle")
public class SpiffeSslBundleProperties implements Validator {

    /**
     * Whether to register the SVID as an SSL bundle.
     */
    private boolean enabled = true;

    /**
     * The bundle's name, as given to ...ssl.bundle properties.
     */
    private String name = "spiffe";

    /**
     * SPIFFE IDs or patterns a peer (normally the server a client connects to) must present. Default: any
     * ID of this workload's own trust domain.
     */
    private List<String> expectedPeerIds = new ArrayList<>();

    /**
     * How peers are verified: spiffe-id (a peer without a SPIFFE ID is refused) or spiffe-id-or-pkix (a
     * peer whose certificate has no SPIFFE ID is verified by plain PKIX against the own trust domain's
     * bundle, plus its client's host name check).
     */
    private PeerVerification peerVerification = PeerVerification.SPIFFE_ID;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<String> getExpectedPeerIds() {
        return expectedPeerIds;
    }

    public void setExpectedPeerIds(List<String> expectedPeerIds) {
        this.expectedPeerIds = expectedPeerIds;
    }

    public PeerVerification getPeerVerification() {
        return peerVerification;
    }

    public void setPeerVerification(PeerVerification peerVerification) {
        this.peerVerification = peerVerification;
    }

    @Override
    public boolean supports(Class<?> type) {
        return SpiffeSslBundleProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        if (name == null || name.isBlank()) {
            errors.rejectValue("name", "missing", "the SSL bundle needs a name");
        }
        if (peerVerification == null) {
            errors.rejectValue("peer-verification", "missing", "use spiffe-id or spiffe-id-or-pkix");
        }
        for (int i = 0; i < expectedPeerIds.size(); i++) {
            try {
                SpiffeIdPattern.parse(expectedPeerIds.get(i));
            }
            catch (IllegalArgumentException ex) {
                errors.rejectValue("expected-peer-ids[" + i + "]", "invalid", ex.getMessage());
            }
        }
    }
}
