package io.github.spiffeboot.client;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.engine.OpenSslContexts;
import io.github.spiffeboot.engine.TlsEngine;
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
 * SPIFFE mTLS for {@code WebClient} (Reactor Netty, on the JDK's TLS or on BoringSSL: either engine uses the
 * live key and trust managers as they are, and no connection resumes a TLS session):
 *
 * <pre>{@code
 * WebClient payments = webClientBuilder
 *     .apply(spiffeWebClients.expecting("spiffe://example.org/ns/production/sa/payment-service"))
 *     .baseUrl("https://payment-service:8443")
 *     .build();
 *
 * WebClient payments = webClientBuilder.apply(spiffeWebClients.server("payment")).build();  // from YAML
 * }</pre>
 *
 * A server with a {@code jwt-audience} also gets this workload's JWT-SVID for that audience in
 * {@code Authorization: Bearer}, besides the mTLS, or instead of our X.509-SVID if it is
 * {@code client-svid: false}.
 */
public final class SpiffeWebClients {

    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final X509ContextSource source;

    private final SpiffeKeyManager keyManager;

    private final TlsEngine engine;

    private final NamedServers servers;

    public SpiffeWebClients(X509ContextSource source, SpiffeKeyManager keyManager) {
        this(source, keyManager, null, TlsEngine.JDK);
    }

    /**
     * @param jwtSvids this workload's JWT-SVIDs, or {@code null} where JWT-SVIDs are not enabled
     * @param engine the TLS engine, already resolved ({@link io.github.spiffeboot.engine.TlsEngines#resolve})
     */
    public SpiffeWebClients(X509ContextSource source, SpiffeKeyManager keyManager, JwtSvids jwtSvids,
            TlsEngine engine) {
        this(source, keyManager, engine, new NamedServers(Map.of(), jwtSvids));
    }

    /**
     * @param engine the TLS engine, already resolved ({@link io.github.spiffeboot.engine.TlsEngines#resolve})
     * @param servers the servers of {@code spiffe.client.servers}, with this workload's JWT-SVIDs if enabled
     */
    public SpiffeWebClients(X509ContextSource source, SpiffeKeyManager keyManager, TlsEngine engine,
            NamedServers servers) {
        if (engine == TlsEngine.AUTO) {
            throw new IllegalArgumentException("resolve the TLS engine first (TlsEngines.resolve)");
        }
        this.source = source;
        this.keyManager = keyManager;
        this.engine = engine;
        this.servers = servers;
    }

    /** Sends this workload's JWT-SVID for {@code audience} with every request. */
    public Consumer<WebClient.Builder> withJwtSvid(String audience) {
        JwtSvidExchangeFilter filter = new JwtSvidExchangeFilter(servers.requireJwtSvids(), audience);
        return builder -> builder.filter(filter);
    }

    /** Accept only servers whose SPIFFE ID matches one of these patterns. */
    public Consumer<WebClient.Builder> expecting(String... serverIds) {
        return tls(PeerAuthorizer.matching(CallerSet.parse(List.of(serverIds))), true);
    }

    private Consumer<WebClient.Builder> tls(PeerAuthorizer expectedServer, boolean presentSvid) {
        ClientHttpConnector connector = connector(expectedServer, presentSvid);
        return builder -> builder.clientConnector(connector);
    }

    /**
     * The base URL, expected IDs and, if configured, the JWT-SVID of a server named in
     * {@code spiffe.client.servers}.
     */
    public Consumer<WebClient.Builder> server(String name) {
        return servers.settings(name, this::tls, this::withJwtSvid, WebClient.Builder::baseUrl);
    }

    /** A connector presenting the SVID and accepting servers that {@code expectedServer} accepts. */
    public ClientHttpConnector connector(PeerAuthorizer expectedServer) {
        return connector(expectedServer, true);
    }

    /**
     * A connector accepting servers that {@code expectedServer} accepts.
     * @param presentSvid whether to present our X.509-SVID; without it the server learns who calls only from
     * a JWT-SVID (if one is sent)
     */
    public ClientHttpConnector connector(PeerAuthorizer expectedServer, boolean presentSvid) {
        SpiffeTrustManager trustManager = new SpiffeTrustManager(source, expectedServer);
        SpiffeKeyManager keyManager = presentSvid ? this.keyManager : null;
        if (engine == TlsEngine.OPENSSL) {
            SslContext sslContext = openSsl(keyManager, trustManager);
            // Tickets off on every engine before its handshake (see OpenSslContexts): once per connection.
            return new ReactorClientHttpConnector(HttpClient.create()
                .secure(spec -> spec.sslContext(sslContext)
                    .handlerConfigurator(handler -> OpenSslContexts.refuseTickets(handler.engine()))));
        }
        // Netty's JDK engine from a context that never resumes: each connection verifies the server afresh.
        SslContext sslContext = new JdkSslContext(SpiffeSslContexts.createClient(keyManager, trustManager), true, null,
                IdentityCipherSuiteFilter.INSTANCE, ApplicationProtocolConfig.DISABLED, ClientAuth.NONE,
                PROTOCOLS.toArray(String[]::new), false);
        return new ReactorClientHttpConnector(HttpClient.create().secure(spec -> spec.sslContext(sslContext)));
    }

    private static SslContext openSsl(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager) {
        try {
            return OpenSslContexts.client(keyManager, trustManager, PROTOCOLS);
        }
        catch (SSLException ex) {
            throw new IllegalStateException("BoringSSL refused the WebClient's TLS settings: " + ex.getMessage(), ex);
        }
    }
}
