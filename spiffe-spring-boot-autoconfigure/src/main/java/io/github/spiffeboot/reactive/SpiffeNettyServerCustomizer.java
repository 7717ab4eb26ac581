package io.github.spiffeboot.reactive;

import java.util.List;

import io.github.spiffeboot.server.ClientAuth;
import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeSslContexts;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.WebServerFactory;
import reactor.netty.http.server.HttpServer;

/**
 * Turns the Reactor Netty server of a WebFlux application into an mTLS server that serves the current
 * SVID and verifies client SVIDs with the SPIFFE trust manager: the same live key and trust managers as on
 * Tomcat, so a rotation reaches the next handshake with nothing rebuilt, and connections opened before it
 * keep working. Netty's JDK engine is used, so that the managers are asked on every handshake and no
 * session is ever resumed (see {@link PreparedServerContext}). HTTP/1.1 (no ALPN).
 */
public final class SpiffeNettyServerCustomizer implements NettyServerCustomizer {

    private final SslContext sslContext;

    /**
     * @param protocols the TLS versions to enable, for example {@code TLSv1.3}
     * @param rejectionListener told of clients refused for sending no certificate (the trust manager
     * reports the others)
     */
    public SpiffeNettyServerCustomizer(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager,
            ClientAuth clientAuth, List<String> protocols, PeerRejectionListener rejectionListener) {
        this.sslContext = new JdkSslContext(
                new PreparedServerContext(SpiffeSslContexts.create(keyManager, trustManager), rejectionListener),
                false, null, IdentityCipherSuiteFilter.INSTANCE, ApplicationProtocolConfig.DISABLED,
                (clientAuth == ClientAuth.NEED) ? io.netty.handler.ssl.ClientAuth.REQUIRE
                        : io.netty.handler.ssl.ClientAuth.OPTIONAL,
                protocols.toArray(String[]::new), false);
    }

    /** Whether this factory serves with a SPIFFE customizer (one it does not carry would serve without mTLS). */
    public static boolean protects(WebServerFactory factory) {
        return factory instanceof NettyReactiveWebServerFactory netty
                && netty.getServerCustomizers().stream().anyMatch(SpiffeNettyServerCustomizer.class::isInstance);
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.secure(spec -> spec.sslContext(sslContext));
    }
}
