package io.github.spiffeboot.client;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.jwt.JwtSvids;
import io.github.spiffeboot.tls.PeerAuthorizer;
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
 * {@code Authorization: Bearer} (for a service behind a TLS-terminating proxy, say), besides the mTLS.
 */
public final class SpiffeRestClients {

    /**
     * A server configured under {@code spiffe.client.servers.<name>}.
     *
     * @param url the base URL
     * @param ids the SPIFFE IDs or patterns the server may present
     * @param jwtAudience the audience of the JWT-SVID to send, or {@code null} to send none
     */
    public record Server(String url, List<String> ids, String jwtAudience) {

        public Server(String url, List<String> ids) {
            this(url, ids, null);
        }
    }

    private final SpiffeClientTls tls;

    private final Map<String, Server> servers;

    private final JwtSvids jwtSvids;

    public SpiffeRestClients(SpiffeClientTls tls, Map<String, Server> servers) {
        this(tls, servers, null);
    }

    /**
     * @param jwtSvids this workload's JWT-SVIDs, or {@code null} where JWT-SVIDs are not enabled (then no
     * server may name a {@code jwt-audience})
     * @throws IllegalArgumentException if a server names a JWT audience but there are no JWT-SVIDs
     */
    public SpiffeRestClients(SpiffeClientTls tls, Map<String, Server> servers, JwtSvids jwtSvids) {
        this.tls = tls;
        this.servers = Map.copyOf(servers);
        this.jwtSvids = jwtSvids;
        servers.forEach((name, server) -> {
            if (server.jwtAudience() != null && jwtSvids == null) {
                throw new IllegalArgumentException("spiffe.client.servers." + name
                        + ".jwt-audience needs JWT-SVIDs: set spiffe.jwt.enabled=true");
            }
        });
    }

    /** Sends this workload's JWT-SVID for {@code audience} with every request. */
    public Consumer<RestClient.Builder> withJwtSvid(String audience) {
        JwtSvidRequestInterceptor interceptor = new JwtSvidRequestInterceptor(requireJwtSvids(), audience);
        return builder -> builder.requestInterceptor(interceptor);
    }

    private JwtSvids requireJwtSvids() {
        if (jwtSvids == null) {
            throw new IllegalStateException("JWT-SVIDs are not enabled: set spiffe.jwt.enabled=true");
        }
        return jwtSvids;
    }

    SpiffeClientTls tls() {
        return tls;
    }

    JwtSvids jwtSvids() {
        return jwtSvids;
    }

    Server named(String name) {
        Server server = servers.get(name);
        if (server == null) {
            throw new IllegalArgumentException("no server '" + name + "' under spiffe.client.servers; known: "
                    + servers.keySet());
        }
        return server;
    }

    /** Accept only servers whose SPIFFE ID matches one of these patterns. */
    public Consumer<RestClient.Builder> expecting(String... serverIds) {
        PeerAuthorizer authorizer = PeerAuthorizer.matching(CallerSet.parse(List.of(serverIds)));
        return builder -> builder.requestFactory(tls.requestFactory(authorizer));
    }

    /**
     * The base URL, expected IDs and, if configured, the JWT-SVID of a server named in
     * {@code spiffe.client.servers}.
     */
    public Consumer<RestClient.Builder> server(String name) {
        Server server = named(name);
        Consumer<RestClient.Builder> tlsSettings = expecting(server.ids().toArray(String[]::new));
        Consumer<RestClient.Builder> jwtSettings = (server.jwtAudience() != null) ? withJwtSvid(server.jwtAudience())
                : builder -> {
                };
        return builder -> {
            tlsSettings.accept(builder);
            jwtSettings.accept(builder);
            if (server.url() != null) {
                builder.baseUrl(server.url());
            }
        };
    }
}
