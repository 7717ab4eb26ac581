package io.github.spiffeboot.tls;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.authz.SpiffeIdPattern;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;

/**
 * The authorizers {@link PeerAuthorizer}'s factory methods return. They are values: equal when they accept
 * the same IDs for the same reason, so that clients expecting the same servers can share a TLS context
 * (see {@code SpiffeClientTls}) and clients expecting different ones never do, whatever they are called.
 */
final class PeerAuthorizers {

    static final PeerAuthorizer ANY = new Any();

    private PeerAuthorizers() {
    }

    static void require(boolean accepted, Object expected, SpiffeId peer) throws SvidVerificationException {
        if (!accepted) {
            throw new SvidVerificationException(Reason.ID_NOT_ACCEPTED,
                    "unexpected SPIFFE ID: expected " + expected + ", presented " + peer);
        }
    }

    record Any() implements PeerAuthorizer {

        @Override
        public void authorize(SpiffeId peer) {
        }

        @Override
        public String toString() {
            return "any SPIFFE ID";
        }
    }

    record OneOf(Set<SpiffeId> allowed) implements PeerAuthorizer {

        OneOf {
            allowed = Set.copyOf(allowed);
        }

        @Override
        public void authorize(SpiffeId peer) throws SvidVerificationException {
            require(allowed.contains(peer), this, peer);
        }

        @Override
        public String toString() {
            return (allowed.size() == 1) ? allowed.iterator().next().toString()
                    : "one of " + new TreeSet<>(allowed.stream().map(SpiffeId::toString).toList());
        }
    }

    record MemberOf(TrustDomain trustDomain) implements PeerAuthorizer {

        @Override
        public void authorize(SpiffeId peer) throws SvidVerificationException {
            require(peer.trustDomain().equals(trustDomain), this, peer);
        }

        @Override
        public String toString() {
            return "any ID of trust domain " + trustDomain;
        }
    }

    /** Equal for the same source: the trust domain is read from it at each handshake. */
    record SameTrustDomain(X509ContextSource source) implements PeerAuthorizer {

        @Override
        public void authorize(SpiffeId peer) throws SvidVerificationException {
            require(peer.trustDomain().equals(source.current().svid().id().trustDomain()), this, peer);
        }

        @Override
        public String toString() {
            return "any ID of this workload's trust domain";
        }
    }

    /** Equal for the same patterns, written the same way in the same order. */
    static final class Matching implements PeerAuthorizer {

        private final CallerSet patterns;

        private final List<String> texts;

        Matching(CallerSet patterns) {
            this.patterns = patterns;
            this.texts = patterns.patterns().stream().map(SpiffeIdPattern::toString).toList();
        }

        @Override
        public void authorize(SpiffeId peer) throws SvidVerificationException {
            require(patterns.contains(peer), this, peer);
        }

        @Override
        public boolean equals(Object other) {
            return (other instanceof Matching matching) && texts.equals(matching.texts);
        }

        @Override
        public int hashCode() {
            return texts.hashCode();
        }

        @Override
        public String toString() {
            return (texts.size() == 1) ? texts.get(0) : "one of " + texts;
        }
    }
}
