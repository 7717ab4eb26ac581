package io.github.spiffeboot.tls;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;

/**
 * Decides, during the handshake, whether a peer whose SVID has been verified may be talked to. Small
 * and composable: {@link #any()}, {@link #id}, {@link #oneOf}, {@link #memberOf}, {@link #matching}.
 * {@link #toString()} says what is expected, for error messages.
 */
public interface PeerAuthorizer {

    /**
     * @throws SvidVerificationException with reason {@link Reason#ID_NOT_ACCEPTED} to refuse the peer
     */
    void authorize(SpiffeId peer) throws SvidVerificationException;

    /** Any verified SPIFFE ID (what a server does when authorization happens per request). */
    static PeerAuthorizer any() {
        return new Described("any SPIFFE ID", peer -> true);
    }

    /** Exactly this ID. */
    static PeerAuthorizer id(SpiffeId expected) {
        return oneOf(expected);
    }

    /** One of these IDs. */
    static PeerAuthorizer oneOf(SpiffeId... expected) {
        Set<SpiffeId> allowed = Set.copyOf(Arrays.asList(expected));
        String description = (allowed.size() == 1) ? allowed.iterator().next().toString()
                : "one of " + new TreeSet<>(allowed.stream().map(SpiffeId::toString).toList());
        return new Described(description, allowed::contains);
    }

    /** Any ID of this trust domain. */
    static PeerAuthorizer memberOf(TrustDomain trustDomain) {
        return new Described("any ID of trust domain " + trustDomain,
                peer -> peer.trustDomain().equals(trustDomain));
    }

    /** Any ID of the trust domain this workload's own SVID belongs to (read at each handshake). */
    static PeerAuthorizer sameTrustDomain(io.github.spiffeboot.source.X509ContextSource source) {
        return new Described("any ID of this workload's trust domain",
                peer -> peer.trustDomain().equals(source.current().svid().id().trustDomain()));
    }

    /** An ID matching one of these patterns (exact, {@code *} segments, {@code spiffe://td/**}). */
    static PeerAuthorizer matching(CallerSet patterns) {
        return new Described((patterns.patterns().size() == 1) ? patterns.patterns().get(0).toString()
                : "one of " + patterns.patterns(), patterns::contains);
    }

    /** An authorizer built from a predicate, with the description its failures quote. */
    record Described(String expected, java.util.function.Predicate<SpiffeId> accepts) implements PeerAuthorizer {

        @Override
        public void authorize(SpiffeId peer) throws SvidVerificationException {
            if (!accepts.test(peer)) {
                throw new SvidVerificationException(Reason.ID_NOT_ACCEPTED,
                        "unexpected SPIFFE ID: expected " + expected + ", presented " + peer);
            }
        }

        @Override
        public String toString() {
            return expected;
        }
    }
}
