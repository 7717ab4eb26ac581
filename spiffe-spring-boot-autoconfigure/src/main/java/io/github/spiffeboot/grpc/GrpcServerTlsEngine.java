package io.github.spiffeboot.grpc;

import io.github.spiffeboot.engine.BoringSsl;
import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.engine.TlsEngines;

/**
 * {@code spiffe.grpc.server.tls-engine} against what Boot's gRPC server can do. Boot (spring-grpc's
 * {@code ShadedNettyGrpcServerFactory}) hands the {@code spiffe} bundle's key and trust managers to gRPC as
 * {@code TlsServerCredentials}, and grpc-netty-shaded turns those into a Netty context on its default
 * provider: its own BoringSSL whenever that loads, else the JDK. No setting or customizer reaches that choice
 * (a {@code NettyServerBuilder} created from credentials refuses {@code sslContext(...)}), so the property
 * cannot switch the engine; what it can do is make sure the server handshakes on the engine it names, or stop
 * startup saying why, instead of being ignored.
 */
public final class GrpcServerTlsEngine {

    static final String PROPERTY = "spiffe.grpc.server.tls-engine";

    private GrpcServerTlsEngine() {
    }

    /**
     * @param boringSsl grpc-netty-shaded's BoringSSL ({@link GrpcBoringSsl#shaded()})
     * @return the engine Boot's gRPC server handshakes with, logged
     * @throws io.github.spiffeboot.engine.TlsEngineUnavailableException for {@code openssl} where that
     * BoringSSL does not load
     * @throws IllegalStateException for {@code jdk} where it does (the server would use BoringSSL regardless)
     */
    public static TlsEngine check(TlsEngine requested, BoringSsl boringSsl) {
        if (requested == TlsEngine.JDK && boringSsl.available()) {
            throw new IllegalStateException(PROPERTY + "=jdk cannot be honoured: Boot's gRPC server builds its TLS "
                    + "from the SSL bundle through gRPC's TlsServerCredentials, and grpc-netty-shaded then always "
                    + "takes its own BoringSSL (" + boringSsl.version() + ") when it loads, as it does here. Remove "
                    + "the property (or set it to auto or openssl); the gRPC channels' engine is "
                    + "spiffe.grpc.client.tls-engine.");
        }
        return TlsEngines.resolve(requested, PROPERTY, "Boot's gRPC server", boringSsl);
    }
}
