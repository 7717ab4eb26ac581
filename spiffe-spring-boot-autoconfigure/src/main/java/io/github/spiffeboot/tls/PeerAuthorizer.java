package io.github.spiffeboot.tls;

import java.util.Arrays;
import java.util.Set;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;

/**
 * Decides, during the handshake, whether a peer whose SVID has been verified may be talked to. Small
 * and composable: {@link #any()}, {@link #id}, {@link #oneOf}, {@link #memberOf}.
 */
@FunctionalInterface
public interface PeerAuthorizer {

    /**
     * @throws SvidVerificationException with reason {@link Reason#ID_NOT_ACCEPTED} to refuse the peer
     */
    void authorize(SpiffeId peer) throws SvidVerificationException;

    /** Any verified SPIFFE ID (what a server does when authorization happens per request). */
    static PeerAuthorizer any() {
        return peer -> {
        };
    }

    /** Exactly this ID. */
    static PeerAuthorizer id(SpiffeId expected) {
        return oneOf(expected);
    }

    /** One of these IDs. */
    static PeerAuthorizer oneOf(SpiffeId... expected) {
        Set<SpiffeId> allowed = Set.copyOf(Arrays.asList(expected));
        return peer -> {
            if (!allowed.contains(peer)) {
                throw new SvidVerificationException(Reason.ID_NOT_ACCEPTED,
                        "unexpected SPIFFE ID: expected " + (allowed.size() == 1 ? allowed.iterator().next()
                                : "one of " + allowed) + ", presented " + peer);
            }
        };
    }

    /** Any ID of this trust domain. */
    static PeerAuthorizer memberOf(TrustDomain trustDomain) {
        return peer -> {
            if (!peer.trustDomain().equals(trustDomain)) {
                throw new SvidVerificationException(Reason.ID_NOT_ACCEPTED, "unexpected trust domain: expected "
                        + trustDomain + ", presented " + peer);
            }
        };
    }
}
