package io.github.spiffeboot.grpc;

import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeSslContexts;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.DelegatingSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslSessionContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.internal.tcnative.SSL;

/**
 * The Netty (grpc-netty-shaded) client TLS contexts of SPIFFE gRPC channels, on either engine, whose
 * connections never resume a TLS session: a resumed handshake skips the certificate exchange, so the server's
 * SVID would not be checked again. HTTP/2 is negotiated by ALPN, as gRPC requires.
 * <ul>
 * <li>JDK: Netty's TLS over {@link SpiffeSslContexts#createClient}, whose engines JSSE cannot find a cached
 * session for.</li>
 * <li>BoringSSL: grpc-netty-shaded's own BoringSSL keeps a client session cache, keyed by the server's host
 * and port, and resumes from it by default. The cache is switched off, and every engine refuses tickets
 * before its handshake ({@code SSL_OP_NO_TICKET}), so nothing it could offer or accept survives a
 * connection.</li>
 * </ul>
 */
final class NonResumingChannelContexts {

    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private NonResumingChannelContexts() {
    }

    /**
     * @param engine already resolved: {@code JDK} or {@code OPENSSL}
     * @param keyManager our SVID, or {@code null} to present no client certificate
     */
    static SslContext create(TlsEngine engine, SpiffeKeyManager keyManager, SpiffeTrustManager trustManager) {
        return switch (engine) {
            case JDK -> jdk(SpiffeSslContexts.createClient(keyManager, trustManager));
            case OPENSSL -> boringSsl(keyManager, trustManager);
            case AUTO -> throw new IllegalArgumentException("resolve the TLS engine first (TlsEngines.resolve)");
        };
    }

    private static SslContext jdk(SSLContext context) {
        return new JdkSslContext(context, true, null, IdentityCipherSuiteFilter.INSTANCE,
                new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"),
                ClientAuth.NONE, PROTOCOLS.toArray(String[]::new), false);
    }

    private static SslContext boringSsl(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager) {
        SslContext context;
        try {
            // A plain key manager (not Netty's caching factory): BoringSSL asks it at every handshake.
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (keyManager != null) {
                builder.keyManager(keyManager);
            }
            context = GrpcSslContexts.configure(builder
                .trustManager(trustManager)
                .protocols(PROTOCOLS), SslProvider.OPENSSL).build();
        }
        catch (SSLException ex) {
            throw new IllegalStateException("BoringSSL refused the gRPC channel's TLS settings: " + ex.getMessage(), ex);
        }
        if (!(context.sessionContext() instanceof OpenSslSessionContext sessions)) {
            throw new IllegalStateException("expected a BoringSSL context, got " + context);
        }
        sessions.setSessionCacheEnabled(false);
        return new TicketRefusingContext(context);
    }

    /** Switches tickets off on each BoringSSL engine before its handshake (one engine per connection). */
    private static final class TicketRefusingContext extends DelegatingSslContext {

        TicketRefusingContext(SslContext context) {
            super(context);
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            if (!(engine instanceof ReferenceCountedOpenSslEngine openSsl)) {
                throw new IllegalStateException("expected a BoringSSL engine, got " + engine);
            }
            SSL.setOptions(openSsl.sslPointer(), SSL.SSL_OP_NO_TICKET);
        }
    }
}
