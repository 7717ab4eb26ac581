package io.github.spiffeboot.tls;

import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * The server side of "no connection skips SPIFFE verification": no client ever resumes a TLS session,
 * yet a TLS 1.3 server still sends a session ticket right after the handshake, as every TLS 1.3 server
 * does.
 * <p>
 * Why send a ticket that will never be honoured: the ticket is the only thing a TLS 1.3 server sends
 * after the client's Finished. Without it, the server's acknowledgement of the Finished is delayed (40 ms
 * of delayed ACK on Linux), and a client with Nagle's algorithm on (most HTTP clients that do not set
 * TCP_NODELAY) holds its first request back until that acknowledgement comes: every new connection
 * waits about 40 ms for nothing. With the ticket, the acknowledgement travels with it at once.
 * <p>
 * How a ticket is refused: JSSE resumes a session only on an engine whose endpoint identification
 * algorithm equals the one the session was created under. Every server engine prepared here gets an
 * identification value of its own, so a ticket (stateless or cached) can never match a later connection,
 * and the client falls back to a full handshake, verified afresh. The value means nothing else on the
 * server side: server-side identity checks are the {@link SpiffeTrustManager}'s, which ignores it.
 * Engines not prepared here (and TLS 1.2, where the server's own Finished follows the client's anyway)
 * keep the plain rule: the session is invalidated during the handshake, so no ticket or session ID is
 * ever issued.
 */
public final class ServerSessions {

    private static final String PREFIX = "SPIFFE-NO-RESUMPTION-";

    private static final AtomicLong CONNECTIONS = new AtomicLong();

    private ServerSessions() {
    }

    /** Gives a server engine an identification value no other engine has; see the class comment. */
    public static SSLEngine prepare(SSLEngine engine) {
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm(PREFIX + CONNECTIONS.incrementAndGet());
        engine.setSSLParameters(parameters);
        return engine;
    }

    /**
     * Keeps an engine's identification value when other code sets new parameters on it (Tomcat does so
     * after creating the engine).
     */
    public static SSLParameters keepIdentification(SSLEngine engine, SSLParameters parameters) {
        String current = engine.getSSLParameters().getEndpointIdentificationAlgorithm();
        if (current != null && current.startsWith(PREFIX)) {
            parameters.setEndpointIdentificationAlgorithm(current);
        }
        return parameters;
    }

    /** Called by the key and trust managers during every full server handshake on an engine. */
    static void handshaking(SSLEngine engine) {
        if (engine == null) {
            return;
        }
        SSLSession session = engine.getHandshakeSession();
        if (session == null) {
            return;
        }
        if ("TLSv1.3".equals(session.getProtocol()) && isPrepared(engine)) {
            return; // a ticket goes out, and can never be redeemed
        }
        session.invalidate();
    }

    /** Called during every full server handshake on a socket: sockets are never prepared. */
    static void handshaking(Socket socket) {
        if (socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null) {
            ssl.getHandshakeSession().invalidate();
        }
    }

    private static boolean isPrepared(SSLEngine engine) {
        String identification = engine.getSSLParameters().getEndpointIdentificationAlgorithm();
        return identification != null && identification.startsWith(PREFIX);
    }
}
