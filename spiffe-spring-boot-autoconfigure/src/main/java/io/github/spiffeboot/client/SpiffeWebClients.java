package io.github.spiffeboot.client;

import java.util.List;
import java.util.function.Consumer;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.jwt.JwtSvids;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeSslContexts;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/**
 * SPIFFE mTLS for {@code WebClient} (Reactor Netty, JDK TLS provider so that the live key and trust
 * managers are used as they are, and no connection resumes a TLS session):
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

    private final JwtSvids jwtSvids;

    public SpiffeWebClients(X509ContextSource source, SpiffeKeyManager keyManager) {
        this(source, keyManager, null);
    }

    /**
     * @param jwtSvids this workload's JWT-SVIDs, or {@code null} where JWT-SVIDs are not enabled
     */
    public SpiffeWebClients(X509ContextSource source, SpiffeKeyManager keyManager, JwtSvids jwtSvids) {
        this.source = source;
        this.keyManager = keyManager;
        this.jwtSvids = jwtSvids;
    }

    /** Sends this workload's JWT-SVID for {@code audience} with every request. */
    public Consumer<WebClient.Builder> withJwtSvid(String audience) {
        if (jwtSvids == null) {
            throw new IllegalStateException("JWT-SVIDs are not enabled: set spiffe.jwt.enabled=true");
        }
        JwtSvidExchangeFilter filter = new JwtSvidExchangeFilter(jwtSvids, audience);
        return builder -> builder.filter(filter);
    }

    /** Accept only servers whose SPIFFE ID matches one of these patterns. */
    public Consumer<WebClient.Builder> expecting(String... serverIds) {
        ClientHttpConnector connector = connector(PeerAuthorizer.matching(CallerSet.parse(List.of(serverIds))));
        return builder -> builder.clientConnector(connector);
    }

    /** A connector presenting the SVID and accepting servers that {@code expectedServer} accepts. */
    public ClientHttpConnector connector(PeerAuthorizer expectedServer) {
        // Netty's JDK engine from a context that never resumes: each connection verifies the server afresh.
        SslContext sslContext = new JdkSslContext(
                SpiffeSslContexts.createClient(keyManager, new SpiffeTrustManager(source, expectedServer)), true, null,
                IdentityCipherSuiteFilter.INSTANCE, ApplicationProtocolConfig.DISABLED, ClientAuth.NONE,
                new String[] { "TLSv1.3", "TLSv1.2" }, false);
        return new ReactorClientHttpConnector(HttpClient.create().secure(spec -> spec.sslContext(sslContext)));
    }
}
