package io.github.spiffeboot.client;

import io.github.spiffeboot.tls.PeerAuthorizer;
import org.springframework.boot.restclient.RestTemplateBuilder;

/**
 * The {@code RestTemplate} side of {@link SpiffeRestClients} (kept apart so that applications without
 * Spring Boot's RestTemplate support never load it):
 *
 * <pre>{@code
 * RestTemplate payments = spiffeRestTemplates.server("payment", restTemplateBuilder).build();  // from YAML
 * }</pre>
 */
public final class SpiffeRestTemplates {

    private final SpiffeRestClients clients;

    public SpiffeRestTemplates(SpiffeRestClients clients) {
        this.clients = clients;
    }

    /**
     * A builder for a server named in {@code spiffe.client.servers}: its base URL, the SPIFFE IDs it must
     * present and, if it has a {@code jwt-audience}, this workload's JWT-SVID for that audience on every
     * request.
     */
    public RestTemplateBuilder server(String name, RestTemplateBuilder builder) {
        NamedServers.Server server = clients.servers().named(name);
        PeerAuthorizer authorizer = server.expected();
        RestTemplateBuilder configured = builder
            .requestFactory(() -> clients.tls().requestFactory(authorizer, server.clientSvid()));
        if (server.url() != null) {
            configured = configured.rootUri(server.url());
        }
        if (server.jwtAudience() != null) {
            configured = configured.additionalInterceptors(
                    new JwtSvidRequestInterceptor(clients.servers().requireJwtSvids(), server.jwtAudience()));
        }
        return configured;
    }
}
