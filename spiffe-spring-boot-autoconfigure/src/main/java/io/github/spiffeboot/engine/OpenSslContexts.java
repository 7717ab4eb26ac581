package io.github.spiffeboot.engine;

import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;

/**
 * Netty {@link SslContext}s on BoringSSL, driven by the live SPIFFE key and trust managers.
 * <p>
 * Why this is as live as the JDK engine: given a plain key manager (not Netty's caching factory), Netty's
 * OpenSSL engine asks it for an alias, the chain and the key on every handshake, and the SPIFFE key manager
 * gives each SVID an alias of its own, so a rotation reaches the next handshake and no converted key
 * material outlives it. Peers are verified by calling the SPIFFE trust manager on every full handshake.
 * <p>
 * Why no session is ever resumed: a resumed handshake skips the certificate exchange, so the trust manager
 * would not see the peer again. Session caches are switched off here, and every engine must go through
 * {@link #refuseTickets} before its handshake: Netty turns TLS 1.3 session tickets on for each engine it
 * creates, and BoringSSL honours them without asking the trust manager (the server suite's resumption tests
 * failed until this was done). A TLS 1.3 client still receives a ticket right after its handshake (BoringSSL
 * then issues one that only its session cache, switched off, could redeem), so, as on the JDK server
 * ({@code ServerSessions}), the server's acknowledgement of the client's Finished is not left to the
 * delayed-ACK timer; the suite checks both that the ticket arrives and that offering it changes nothing.
 */
public final class OpenSslContexts {

    private OpenSslContexts() {
    }

    /**
     * A server context; the client's certificate is required when {@code requireClientCertificate}, else
     * asked for.
     */
    public static SslContext server(X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager,
            boolean requireClientCertificate, List<String> protocols) throws SSLException {
        return withoutResumption(SslContextBuilder.forServer(keyManager)
            .trustManager(trustManager)
            .sslProvider(SslProvider.OPENSSL)
            .protocols(protocols)
            .clientAuth(requireClientCertificate ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
            .applicationProtocolConfig(ApplicationProtocolConfig.DISABLED)
            .build());
    }

    /**
     * A client context presenting the SVID (none if {@code keyManager} is {@code null}) and accepting the
     * servers the trust manager accepts.
     */
    public static SslContext client(X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager,
            List<String> protocols) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (keyManager != null) {
            builder.keyManager(keyManager);
        }
        return withoutResumption(builder
            .trustManager(trustManager)
            .sslProvider(SslProvider.OPENSSL)
            .protocols(protocols)
            .applicationProtocolConfig(ApplicationProtocolConfig.DISABLED)
            .build());
    }

    /**
     * Switches session tickets off on an engine of one of these contexts, before its handshake: no ticket
     * is issued or honoured on its connection. Once per connection.
     */
    public static void refuseTickets(SSLEngine engine) {
        if (!(engine instanceof ReferenceCountedOpenSslEngine openSsl)) {
            throw new IllegalStateException("expected a BoringSSL engine, got " + engine);
        }
        SSL.setOptions(openSsl.sslPointer(), SSL.SSL_OP_NO_TICKET);
    }

    private static SslContext withoutResumption(SslContext context) {
        if (!(context.sessionContext() instanceof OpenSslSessionContext sessions)) {
            throw new IllegalStateException("expected a BoringSSL context, got " + context);
        }
        sessions.setSessionCacheEnabled(false);
        return context;
    }
}
