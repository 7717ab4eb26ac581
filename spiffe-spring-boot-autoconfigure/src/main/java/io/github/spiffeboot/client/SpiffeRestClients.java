package io.github.spiffeboot.client;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.github.spiffeboot.authz.CallerSet;
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
 */
public final class SpiffeRestClients {

    /**
     * A server configured under {@code spiffe.client.servers.<name>}.
     *
     * @param url the base URL
     * @param ids the SPIFFE IDs or patterns the server may present
     */
    public record Server(String url, List<String> ids) {
    }

    private final SpiffeClientTls tls;

    private final Map<String, Server> servers;

    public SpiffeRestClients(SpiffeClientTls tls, Map<String, Server> servers) {
        this.tls = tls;
        this.servers = Map.copyOf(servers);
    }

    /** Accept only servers whose SPIFFE ID matches one of these patterns. */
    public Consumer<RestClient.Builder> expecting(String... serverIds) {
        PeerAuthorizer authorizer = PeerAuthorizer.matching(CallerSet.parse(List.of(serverIds)));
        return builder -> builder.requestFactory(tls.requestFactory(authorizer));
    }

    /** The base URL and expected IDs of a server named in {@code spiffe.client.servers}. */
    public Consumer<RestClient.Builder> server(String name) {
        Server server = servers.get(name);
        if (server == null) {
            throw new IllegalArgumentException("no server '" + name + "' under spiffe.client.servers; known: "
                    + servers.keySet());
        }
        Consumer<RestClient.Builder> tlsSettings = expecting(server.ids().toArray(String[]::new));
        return builder -> {
            tlsSettings.accept(builder);
            if (server.url() != null) {
                builder.baseUrl(server.url());
            }
        };
    }
}
