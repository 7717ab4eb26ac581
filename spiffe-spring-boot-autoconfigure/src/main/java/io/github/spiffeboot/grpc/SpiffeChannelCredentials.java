package io.github.spiffeboot.grpc;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.client.NamedServers;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import org.springframework.grpc.client.ChannelCredentialsProvider;

/**
 * Credentials for the channels Boot's {@code GrpcChannelFactory} creates: a channel named like a server in
 * {@code spiffe.client.servers.<name>} presents the current SVID and accepts only a server whose X509-SVID
 * verifies against the bundle of its trust domain and whose ID is one that server may have (the same
 * verification as the HTTP clients; SVIDs carry no host name, the ID check takes the place of the host name
 * check). Key and trust managers read the source at every handshake, so a channel follows rotations, and
 * no connection resumes a TLS session: a resumed handshake would skip the check of the server's SVID (gRPC's
 * own TLS credentials resume against servers that issue session tickets, as Go's and Boot's gRPC servers do),
 * on either TLS engine ({@link NonResumingChannelContexts}). A channel with a {@code jwt-audience} also sends
 * this workload's JWT-SVID on every call ({@link JwtSvidCallCredentials}), besides the SVID or, with
 * {@code client-svid: false}, instead of it. Channels not named there get what Boot would have given them ({@code spring.grpc.client.channel.*}).
 */
public final class SpiffeChannelCredentials implements ChannelCredentialsProvider {

    private final Map<String, ChannelCredentials> servers = new LinkedHashMap<>();

    private final ChannelCredentialsProvider others;

    /**
     * @param servers the servers of {@code spiffe.client.servers}: a channel of the same name expects that
     * server's IDs, presents our SVID unless it is {@code client-svid: false}, and sends a JWT-SVID if it has a
     * {@code jwt-audience} ({@link NamedServers} has checked that these fit together)
     * @param others the credentials of every other channel
     * @param engine the TLS engine, already resolved against gRPC's BoringSSL
     * ({@code TlsEngines.resolve(..., GrpcBoringSsl.shaded())}): {@code JDK} or {@code OPENSSL}
     */
    public SpiffeChannelCredentials(X509ContextSource source, SpiffeKeyManager keyManager, NamedServers servers,
            ChannelCredentialsProvider others, TlsEngine engine) {
        // Built once per server: the managers are live, nothing in them needs rebuilding.
        servers.forEach((name, server) -> this.servers.put(name, credentials(server, servers, source, keyManager,
                engine)));
        this.others = others;
    }

    private static ChannelCredentials credentials(NamedServers.Server server, NamedServers servers,
            X509ContextSource source, SpiffeKeyManager keyManager, TlsEngine engine) {
        ChannelCredentials tls = NettySslContextChannelCredentials.create(NonResumingChannelContexts.create(engine,
                server.clientSvid() ? keyManager : null, new SpiffeTrustManager(source, server.expected())));
        if (server.jwtAudience() == null) {
            return tls;
        }
        return CompositeChannelCredentials.create(tls,
                new JwtSvidCallCredentials(servers.requireJwtSvids(), server.jwtAudience()));
    }

    @Override
    public ChannelCredentials getChannelCredentials(String target) {
        ChannelCredentials credentials = servers.get(target);
        return (credentials != null) ? credentials : others.getChannelCredentials(target);
    }
}
