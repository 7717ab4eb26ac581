package io.github.spiffeboot.reactive;

import java.util.List;

import io.github.spiffeboot.server.ClientAuth;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeSslContexts;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import javax.net.ssl.SSLException;

import io.github.spiffeboot.engine.OpenSslContexts;
import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.engine.TlsEngines;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.WebServerFactory;
import reactor.netty.http.server.HttpServer;

/**
 * Turns the Reactor Netty server of a WebFlux application into an mTLS server that serves the current
 * SVID and verifies client SVIDs with the SPIFFE trust manager: the same live key and trust managers as on
 * Tomcat, so a rotation reaches the next handshake with nothing rebuilt, and connections opened before it
 * keep working. Either TLS engine asks the managers on every handshake and never resumes a session: the
 * JDK's (see {@link PreparedServerContext}) or BoringSSL's (see {@link OpenSslContexts}). HTTP/1.1 (no ALPN).
 */
public final class SpiffeNettyServerCustomizer implements NettyServerCustomizer {

    /** BoringSSL's reason when a client sends no certificate where one is required. */
    private static final String NO_CERTIFICATE = "PEER_DID_NOT_RETURN_A_CERTIFICATE";

    private final SslContext sslContext;

    private final TlsEngine engine;

    private final PeerRejectionListener rejectionListener;

    /**
     * @param protocols the TLS versions to enable, for example {@code TLSv1.3}
     * @param engine the TLS engine, already resolved ({@link TlsEngines#resolve}): {@code JDK} or {@code OPENSSL}
     * @param rejectionListener told of clients refused for sending no certificate (the trust manager
     * reports the others)
     */
    public SpiffeNettyServerCustomizer(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager,
            ClientAuth clientAuth, List<String> protocols, TlsEngine engine, PeerRejectionListener rejectionListener) {
        this.engine = engine;
        this.rejectionListener = rejectionListener;
        this.sslContext = switch (engine) {
            case OPENSSL -> openSsl(keyManager, trustManager, clientAuth, protocols);
            case JDK -> new JdkSslContext(
                    new PreparedServerContext(SpiffeSslContexts.create(keyManager, trustManager), rejectionListener),
                    false, null, IdentityCipherSuiteFilter.INSTANCE, ApplicationProtocolConfig.DISABLED,
                    (clientAuth == ClientAuth.NEED) ? io.netty.handler.ssl.ClientAuth.REQUIRE
                            : io.netty.handler.ssl.ClientAuth.OPTIONAL,
                    protocols.toArray(String[]::new), false);
            case AUTO -> throw new IllegalArgumentException("resolve the TLS engine first (TlsEngines.resolve)");
        };
    }

    private static SslContext openSsl(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager,
            ClientAuth clientAuth, List<String> protocols) {
        try {
            return OpenSslContexts.server(keyManager, trustManager, clientAuth == ClientAuth.NEED, protocols);
        }
        catch (SSLException ex) {
            throw new IllegalStateException("BoringSSL refused the server's TLS settings (spiffe.server.tls-versions="
                    + String.join(",", protocols) + "): " + ex.getMessage(), ex);
        }
    }

    /** Whether this factory serves with a SPIFFE customizer (one it does not carry would serve without mTLS). */
    public static boolean protects(WebServerFactory factory) {
        return factory instanceof NettyReactiveWebServerFactory netty
                && netty.getServerCustomizers().stream().anyMatch(SpiffeNettyServerCustomizer.class::isInstance);
    }

    @Override
    public HttpServer apply(HttpServer server) {
        HttpServer secured = server.secure(spec -> spec.sslContext(sslContext));
        if (engine != TlsEngine.OPENSSL) {
            return secured; // the JDK engine's missing certificates are seen by ObservedSslEngine
        }
        return secured.doOnChannelInit((observer, channel, address) -> {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl == null) {
                channel.close(); // fail closed: this connection would not be protected as configured
                return;
            }
            OpenSslContexts.refuseTickets(ssl.engine());
            // BoringSSL refuses a missing certificate natively, before any trust manager is asked: the
            // handshake's outcome is the one place it shows. One listener per connection, none per request.
            ssl.handshakeFuture().addListener(handshake -> {
                Throwable cause = handshake.cause();
                if (cause != null && String.valueOf(cause.getMessage()).contains(NO_CERTIFICATE)) {
                    report();
                }
            });
        });
    }

    private void report() {
        try {
            rejectionListener.rejected(new SvidVerificationException(Reason.NO_CERTIFICATE, "the client sent no certificate"));
        }
        catch (RuntimeException ignored) {
            // never let observation change the handshake's outcome
        }
    }
}
