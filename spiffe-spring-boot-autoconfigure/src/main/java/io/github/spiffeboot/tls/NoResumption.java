package io.github.spiffeboot.tls;

import java.net.Socket;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Marks the session an outgoing connection negotiates as not resumable. A resumed TLS session skips the
 * certificate exchange: it would keep a server accepted after its SVID expired or its trust bundle
 * changed, and keep our SVID of before a rotation. (The server side is {@link ServerSessions}.)
 * <p>
 * A client is not stopped by this alone: in TLS 1.3 it caches a fresh copy of the session when the server's
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
