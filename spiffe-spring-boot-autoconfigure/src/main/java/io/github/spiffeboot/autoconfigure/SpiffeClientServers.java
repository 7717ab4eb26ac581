package io.github.spiffeboot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.spiffeboot.client.NamedServers;
import io.github.spiffeboot.jwt.JwtSvids;

/**
 * {@code spiffe.client.servers} as the {@link NamedServers} every client kind reads (HTTP clients and gRPC
 * channels), built in one place so that a name means the same server to each.
 */
final class SpiffeClientServers {

    private SpiffeClientServers() {
    }

    /** @param jwtSvids this workload's JWT-SVIDs, or {@code null} where they are not enabled */
    static NamedServers of(SpiffeProperties.Client client, JwtSvids jwtSvids) {
        Map<String, NamedServers.Server> named = new LinkedHashMap<>();
        client.getServers().forEach((name, server) -> named.put(name, new NamedServers.Server(server.getUrl(),
                server.getIds(), server.getJwtAudience(), server.isClientSvid())));
        return new NamedServers(named, jwtSvids);
    }
}
