package io.github.spiffeboot.tls;

import java.util.Arrays;
import java.util.Set;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;

/**
 * Decides, during the handshake, whether a peer whose SVID has been verified may be talked to. Small
 * and composable: {@link #any()}, {@link #id}, {@link #oneOf}, {@link #memberOf}, {@link #matching}.
 * {@link #toString()} says what is expected, for error messages.
 * <p>
 * The authorizers these factory methods return are values: built twice from equal arguments they are
 * equal, so outgoing clients expecting the same servers share one TLS context and connection pool. An
 * authorizer of your own is equal only to itself unless it implements {@code equals} and
 * {@code hashCode}: build it once rather than per request.
 */
public interface PeerAuthorizer {

    /**
     * @throws SvidVerificationException with reason {@link Reason#ID_NOT_ACCEPTED} to refuse the peer
     */
    void authorize(SpiffeId peer) throws SvidVerificationException;

    /** Any verified SPIFFE ID (what a server does when authorization happens per request). */
    static PeerAuthorizer any() {
        return PeerAuthorizers.ANY;
    }

    /** Exactly this ID. */
    static PeerAuthorizer id(SpiffeId expected) {
        return oneOf(expected);
    }

    /** One of these IDs. */
    static PeerAuthorizer oneOf(SpiffeId... expected) {
        return new PeerAuthorizers.OneOf(Set.copyOf(Arrays.asList(expected)));
    }

    /** Any ID of this trust domain. */
    static PeerAuthorizer memberOf(TrustDomain trustDomain) {
        return new PeerAuthorizers.MemberOf(trustDomain);
    }

    /** Any ID of the trust domain this workload's own SVID belongs to (read at each handshake). */
    static PeerAuthorizer sameTrustDomain(io.github.spiffeboot.source.X509ContextSource source) {
        return new PeerAuthorizers.SameTrustDomain(source);
    }

    /** An ID matching one of these patterns (exact, {@code *} segments, {@code spiffe://td/**}). */
    static PeerAuthorizer matching(CallerSet patterns) {
        return new PeerAuthorizers.Matching(patterns);
    }

    /**
     * An authorizer built from a predicate, with the description its failures quote. Two are equal only
     * if both the description and the predicate are (a lambda equals only itself), never because they
     * are described alike.
     */
    record Described(String expected, java.util.function.Predicate<SpiffeId> accepts) implements PeerAuthorizer {

        @Override
        public void authorize(SpiffeId peer) throws SvidVerificationException {
            PeerAuthorizers.require(accepts.test(peer), expected, peer);
        }

        @Override
        public String toString() {
            return expected;
        }
    }
}
