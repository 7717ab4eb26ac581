package io.github.spiffeboot.grpc;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.jwt.JwtSvids;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.PeerAuthorizer;
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
     * A channel named in {@code spiffe.client.servers}.
     *
     * @param expected the servers it may reach (its {@code ids})
     * @param jwtAudience the audience of the JWT-SVID sent on every call, or {@code null} for none
     * @param clientSvid whether the handshake presents our X.509-SVID ({@code false}: the JWT-SVID alone)
     */
    public record NamedChannel(PeerAuthorizer expected, String jwtAudience, boolean clientSvid) {
    }

    /**
     * @param channels each named channel
     * @param jwtSvids this workload's JWT-SVIDs, or {@code null} where they are not enabled (then no channel
     * may have a {@code jwtAudience})
     * @param others the credentials of every other channel
     * @param engine the TLS engine, already resolved against gRPC's BoringSSL
     * ({@code TlsEngines.resolve(..., GrpcBoringSsl.shaded())}): {@code JDK} or {@code OPENSSL}
     * @throws IllegalArgumentException if a channel names a JWT audience without JWT-SVIDs, or would call
     * with neither credential
     */
    public SpiffeChannelCredentials(X509ContextSource source, SpiffeKeyManager keyManager,
            Map<String, NamedChannel> channels, JwtSvids jwtSvids, ChannelCredentialsProvider others,
            TlsEngine engine) {
        // Built once per server: the managers are live, nothing in them needs rebuilding.
        channels.forEach((name, channel) -> this.servers.put(name, credentials(name, channel, source, keyManager,
                jwtSvids, engine)));
        this.others = others;
    }

    private static ChannelCredentials credentials(String name, NamedChannel channel, X509ContextSource source,
            SpiffeKeyManager keyManager, JwtSvids jwtSvids, TlsEngine engine) {
        String property = "spiffe.client.servers." + name;
        if (!channel.clientSvid() && channel.jwtAudience() == null) {
            throw new IllegalArgumentException(property + ".client-svid=false needs " + property
                    + ".jwt-audience: without either, the server cannot tell who calls");
        }
        ChannelCredentials tls = NettySslContextChannelCredentials.create(NonResumingChannelContexts.create(engine,
                channel.clientSvid() ? keyManager : null, new SpiffeTrustManager(source, channel.expected())));
        if (channel.jwtAudience() == null) {
            return tls;
        }
        if (jwtSvids == null) {
            throw new IllegalArgumentException(property + ".jwt-audience needs JWT-SVIDs: set spiffe.jwt.enabled=true");
        }
        return CompositeChannelCredentials.create(tls, new JwtSvidCallCredentials(jwtSvids, channel.jwtAudience()));
    }

    @Override
    public ChannelCredentials getChannelCredentials(String target) {
        ChannelCredentials credentials = servers.get(target);
        return (credentials != null) ? credentials : others.getChannelCredentials(target);
    }
}
