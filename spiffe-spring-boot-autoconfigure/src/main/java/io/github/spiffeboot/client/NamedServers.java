package io.github.spiffeboot.client;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.jwt.JwtSvids;
import io.github.spiffeboot.tls.PeerAuthorizer;

/**
 * The servers configured under {@code spiffe.client.servers}, by name: one list that {@code RestClient},
 * {@code RestTemplate}, {@code WebClient} settings and gRPC channels all read, so a name means the same server
 * to each.
 */
public final class NamedServers {

    /**
     * A server configured under {@code spiffe.client.servers.<name>}.
     *
     * @param url the base URL, or {@code null}
     * @param ids the SPIFFE IDs or patterns the server may present
     * @param jwtAudience the audience of the JWT-SVID to send, or {@code null} to send none
     * @param clientSvid whether to present this workload's X.509-SVID in the TLS handshake ({@code false}:
     * the JWT-SVID alone says who calls)
     */
    public record Server(String url, List<String> ids, String jwtAudience, boolean clientSvid) {

        /** The servers this one may be: exactly its listed IDs (none listed, none accepted). */
        public PeerAuthorizer expected() {
            return PeerAuthorizer.matching(CallerSet.parse(ids));
        }
    }

    private final Map<String, Server> servers;

    private final JwtSvids jwtSvids;

    /**
     * @param jwtSvids this workload's JWT-SVIDs, or {@code null} where JWT-SVIDs are not enabled (then no
     * server may name a {@code jwt-audience})
     * @throws IllegalArgumentException if a server names a JWT audience but there are no JWT-SVIDs, or
     * presents no X.509-SVID and sends no JWT-SVID either (it would call as nobody)
     */
    public NamedServers(Map<String, Server> servers, JwtSvids jwtSvids) {
        this.servers = Map.copyOf(servers);
        this.jwtSvids = jwtSvids;
        servers.forEach((name, server) -> {
            if (server.jwtAudience() != null && jwtSvids == null) {
                throw new IllegalArgumentException("spiffe.client.servers." + name
                        + ".jwt-audience needs JWT-SVIDs: set spiffe.jwt.enabled=true");
            }
            if (!server.clientSvid() && server.jwtAudience() == null) {
                throw new IllegalArgumentException("spiffe.client.servers." + name + ".client-svid=false needs "
                        + "spiffe.client.servers." + name + ".jwt-audience: without either, the server cannot tell "
                        + "who calls");
            }
        });
    }

    /** Calls {@code action} with each server and its name. */
    public void forEach(BiConsumer<String, Server> action) {
        servers.forEach(action);
    }

    /** This workload's JWT-SVIDs, for a server with a {@code jwt-audience}. */
    public JwtSvids requireJwtSvids() {
        if (jwtSvids == null) {
            throw new IllegalStateException("JWT-SVIDs are not enabled: set spiffe.jwt.enabled=true");
        }
        return jwtSvids;
    }

    /**
     * The settings of the server {@code name} for a client builder of type {@code B}: TLS expecting its IDs
     * (presenting our SVID unless it is {@code client-svid: false}), the JWT-SVID if it has a
     * {@code jwt-audience}, and its base URL if it has one.
     */
    <B> Consumer<B> settings(String name, BiFunction<PeerAuthorizer, Boolean, Consumer<B>> tls,
            Function<String, Consumer<B>> jwtSvid, BiConsumer<B, String> baseUrl) {
        Server server = named(name);
        Consumer<B> settings = tls.apply(server.expected(), server.clientSvid());
        if (server.jwtAudience() != null) {
            settings = settings.andThen(jwtSvid.apply(server.jwtAudience()));
        }
        if (server.url() != null) {
            settings = settings.andThen(builder -> baseUrl.accept(builder, server.url()));
        }
        return settings;
    }

    Server named(String name) {
        Server server = servers.get(name);
        if (server == null) {
            throw new IllegalArgumentException("no server '" + name + "' under spiffe.client.servers; known: "
                    + servers.keySet());
        }
        return server;
    }
}
