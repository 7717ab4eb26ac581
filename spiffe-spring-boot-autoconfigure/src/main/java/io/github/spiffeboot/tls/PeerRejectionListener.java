package io.github.spiffeboot.tls;

import io.github.spiffeboot.svid.SvidVerificationException;

/**
 * Told of every peer the SPIFFE trust manager turns away, with the reason, for example to count
 * rejected handshakes. Define beans of this type to be called by the server's trust manager. Called on
 * the handshake thread: keep it quick.
 */
@FunctionalInterface
public interface PeerRejectionListener {

    void rejected(SvidVerificationException rejection);
}
