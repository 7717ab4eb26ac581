package io.github.spiffeboot.server;

/** Whether the server demands a client SVID in the handshake. */
public enum ClientAuth {
    /** Handshakes without a valid client SVID fail. */
    NEED,
    /**
     * A client SVID is requested and verified if sent, but its absence does not fail the handshake;
     * authorization must then turn such requests away (the starter's security chain answers 401).
     */
    WANT
}
