package io.github.spiffeboot.tls;

import java.net.Socket;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Marks the session being negotiated as not resumable. A resumed TLS session skips the certificate
 * exchange: it would keep a peer accepted after its SVID expired or its trust bundle changed, and keep
 * our SVID of before a rotation. A JSSE server gives invalidated sessions no session ticket or reusable
 * ID, so every new connection to it does a full handshake, verified against the SVID and bundles of that
 * moment.
 * <p>
 * A client is not stopped by this: in TLS 1.3 it caches a fresh copy of the session when the server's
 * NewSessionTicket arrives, after the handshake. Outgoing connections therefore use contexts from
 * {@link SpiffeSslContexts#createClient}, which never resume (see {@link NonResumingClientContext}).
 */
final class NoResumption {

    private NoResumption() {
    }

    static void of(SSLEngine engine) {
        if (engine != null) {
            invalidate(engine.getHandshakeSession());
        }
    }

    static void of(Socket socket) {
        if (socket instanceof SSLSocket ssl) {
            invalidate(ssl.getHandshakeSession());
        }
    }

    private static void invalidate(SSLSession session) {
        if (session != null) {
            session.invalidate();
        }
    }
}
