package io.github.spiffeboot.client;

import java.util.List;
import java.util.function.Consumer;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.tls.PeerAuthorizer;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Per-client SPIFFE settings for {@code RestClient}, in the spirit of Boot's {@code RestClientSsl}:
 *
 * <pre>{@code
 * RestClient payments = restClientBuilder
 *     .apply(spiffeRestClients.expecting("spiffe://example.org/ns/production/sa/payment-service"))
 *     .baseUrl("https://payment-service:8443")
 *     .build();
 *
 * RestClient payments = restClientBuilder.apply(spiffeRestClients.server("payment")).build();  // from YAML
 * }</pre>
 *
 * A server with a {@code jwt-audience} also gets this workload's JWT-SVID for that audience in
 * {@code Authorization: Bearer} (for a service behind a TLS-terminating proxy, say), besides the mTLS, or
 * instead of our X.509-SVID if it is {@code client-svid: false}.
 */
public final class SpiffeRestClients {

    private final SpiffeClientTls tls;

    private final NamedServers servers;

    public SpiffeRestClients(SpiffeClientTls tls, NamedServers servers) {
        this.tls = tls;
        this.servers = servers;
    }

    /** Sends this workload's JWT-SVID for {@code audience} with every request. */
    public Consumer<RestClient.Builder> withJwtSvid(String audience) {
        JwtSvidRequestInterceptor interceptor = new JwtSvidRequestInterceptor(servers.requireJwtSvids(), audience);
        return builder -> builder.requestInterceptor(interceptor);
    }

    SpiffeClientTls tls() {
        return tls;
    }

    NamedServers servers() {
        return servers;
    }

    /** Accept only servers whose SPIFFE ID matches one of these patterns. */
    public Consumer<RestClient.Builder> expecting(String... serverIds) {
        return tls(PeerAuthorizer.matching(CallerSet.parse(List.of(serverIds))), true);
    }

    private Consumer<RestClient.Builder> tls(PeerAuthorizer expectedServer, boolean presentSvid) {
        ClientHttpRequestFactory factory = tls.requestFactory(expectedServer, presentSvid);
        return builder -> builder.requestFactory(factory);
    }

    /**
     * The base URL, expected IDs and, if configured, the JWT-SVID of a server named in
     * {@code spiffe.client.servers}.
     */
    public Consumer<RestClient.Builder> server(String name) {
        return servers.settings(name, this::tls, this::withJwtSvid, RestClient.Builder::baseUrl);
    }
}
