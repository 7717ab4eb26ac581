package io.github.spiffeboot.grpc;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLContext;

import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeSslContexts;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import io.grpc.ChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import org.springframework.grpc.client.ChannelCredentialsProvider;

/**
 * Credentials for the channels Boot's {@code GrpcChannelFactory} creates: a channel named like a server in
 * {@code spiffe.client.servers.<name>} presents the current SVID and accepts only a server whose X509-SVID
 * verifies against the bundle of its trust domain and whose ID is one that server may have (the same
 * verification as the HTTP clients; SVIDs carry no host name, the ID check takes the place of the host name
 * check). Key and trust managers read the source at every handshake, so a channel follows rotations, and
 * no connection resumes a TLS session: a resumed handshake would skip the check of the server's SVID (gRPC's
 * own TLS credentials resume against servers that issue session tickets, as Go's and Boot's gRPC servers do).
 * Channels not named there get what Boot would have given them ({@code spring.grpc.client.channel.*}).
 */
public final class SpiffeChannelCredentials implements ChannelCredentialsProvider {

    private final Map<String, ChannelCredentials> servers = new LinkedHashMap<>();

    private final ChannelCredentialsProvider others;

    /**
     * @param servers the expected server of each named channel
     * @param others the credentials of every other channel
     */
    public SpiffeChannelCredentials(X509ContextSource source, SpiffeKeyManager keyManager,
            Map<String, PeerAuthorizer> servers, ChannelCredentialsProvider others) {
        // Built once per server: the managers are live, nothing in them needs rebuilding.
        servers.forEach((name, expected) -> this.servers.put(name, NettySslContextChannelCredentials
            .create(nonResuming(SpiffeSslContexts.createClient(keyManager, new SpiffeTrustManager(source, expected))))));
        this.others = others;
    }

    /**
     * Netty's TLS on a JDK context whose engines never resume (the JDK engine; grpc-netty-shaded's BoringSSL
     * would resume from its own client session cache), with HTTP/2 negotiated by ALPN as gRPC requires.
     */
    private static SslContext nonResuming(SSLContext context) {
        return new JdkSslContext(context, true, null, IdentityCipherSuiteFilter.INSTANCE,
                new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"),
                ClientAuth.NONE, new String[] { "TLSv1.3", "TLSv1.2" }, false);
    }

    @Override
    public ChannelCredentials getChannelCredentials(String target) {
        ChannelCredentials credentials = servers.get(target);
        return (credentials != null) ? credentials : others.getChannelCredentials(target);
    }
}
