package io.github.spiffeboot.client;

import java.util.List;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/**
 * SPIFFE mTLS for {@code WebClient} (Reactor Netty, JDK TLS provider so that the live key and trust
 * managers are used as they are):
 *
 * <pre>{@code
 * WebClient payments = webClientBuilder
 *     .apply(spiffeWebClients.expecting("spiffe://example.org/ns/production/sa/payment-service"))
 *     .baseUrl("https://payment-service:8443")
 *     .build();
 * }</pre>
 */
public final class SpiffeWebClients {

    private final X509ContextSource source;

    private final SpiffeKeyManager keyManager;

    public SpiffeWebClients(X509ContextSource source, SpiffeKeyManager keyManager) {
        this.source = source;
        this.keyManager = keyManager;
    }

    /** Accept only servers whose SPIFFE ID matches one of these patterns. */
    public Consumer<WebClient.Builder> expecting(String... serverIds) {
        ClientHttpConnector connector = connector(PeerAuthorizer.matching(CallerSet.parse(List.of(serverIds))));
        return builder -> builder.clientConnector(connector);
    }

    /** A connector presenting the SVID and accepting servers that {@code expectedServer} accepts. */
    public ClientHttpConnector connector(PeerAuthorizer expectedServer) {
        SslContext sslContext;
        try {
            sslContext = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .keyManager(keyManager)
                .trustManager(new SpiffeTrustManager(source, expectedServer))
                .build();
        }
        catch (SSLException ex) {
            throw new IllegalStateException("cannot build the WebClient's TLS context", ex);
        }
        return new ReactorClientHttpConnector(HttpClient.create().secure(spec -> spec.sslContext(sslContext)));
    }
}
