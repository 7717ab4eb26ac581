package io.github.spiffeboot.grpc;

import io.github.spiffeboot.engine.BoringSsl;
import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.engine.TlsEngineUnavailableException;
import io.github.spiffeboot.engine.TlsEngines;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which engine gRPC's transports get, decided by grpc-netty-shaded's own BoringSSL (which loads on this
 * machine); "unavailable" is given explicitly, as one JVM cannot unload a native library.
 */
class GrpcTlsEnginesTests {

    static final String CLIENT = "spiffe.grpc.client.tls-engine";

    @Test
    void grpcsOwnBoringSslLoadsOnThisMachine() {
        assertThat(OpenSsl.isAvailable()).as(String.valueOf(OpenSsl.unavailabilityCause())).isTrue();
        BoringSsl shaded = GrpcBoringSsl.shaded();
        assertThat(shaded.available()).isTrue();
        assertThat(shaded.version()).startsWith("BoringSSL");
    }

    @Test
    void autoTakesGrpcsBoringSslWhenItLoads() {
        assertThat(TlsEngines.resolve(TlsEngine.AUTO, CLIENT, "channels", GrpcBoringSsl.shaded()))
            .isEqualTo(TlsEngine.OPENSSL);
        assertThat(TlsEngines.resolve(TlsEngine.JDK, CLIENT, "channels", GrpcBoringSsl.shaded()))
            .isEqualTo(TlsEngine.JDK);
    }

    @Test
    void autoFallsBackToTheJdkWithoutGrpcsBoringSsl() {
        assertThat(TlsEngines.resolve(TlsEngine.AUTO, CLIENT, "channels", unloadable())).isEqualTo(TlsEngine.JDK);
        assertThat(GrpcServerTlsEngine.check(TlsEngine.AUTO, unloadable())).isEqualTo(TlsEngine.JDK);
        assertThat(GrpcServerTlsEngine.check(TlsEngine.JDK, unloadable())).isEqualTo(TlsEngine.JDK);
    }

    @Test
    void anExplicitOpensslThatCannotLoadFailsNamingThePropertyAndThePlatforms() {
        assertThatThrownBy(() -> TlsEngines.resolve(TlsEngine.OPENSSL, CLIENT, "channels", unloadable()))
            .isInstanceOf(TlsEngineUnavailableException.class)
            .hasMessageContaining("spiffe.grpc.client.tls-engine=openssl, but BoringSSL cannot be loaded")
            .hasMessageContaining("UnsatisfiedLinkError: libio_grpc_netty_shaded_netty_tcnative")
            .hasMessageContaining("grpc-netty-shaded carries BoringSSL for linux-x86_64")
            .hasMessageContaining("spiffe.grpc.client.tls-engine=auto")
            .satisfies(ex -> assertThat(((TlsEngineUnavailableException) ex).getProperty()).isEqualTo(CLIENT));
        assertThatThrownBy(() -> GrpcServerTlsEngine.check(TlsEngine.OPENSSL, unloadable()))
            .isInstanceOf(TlsEngineUnavailableException.class)
            .hasMessageContaining("spiffe.grpc.server.tls-engine=openssl, but BoringSSL cannot be loaded");
    }

    @Test
    void theServerEngineMustBeTheOneBootsGrpcServerUses() {
        assertThat(GrpcServerTlsEngine.check(TlsEngine.AUTO, GrpcBoringSsl.shaded())).isEqualTo(TlsEngine.OPENSSL);
        assertThat(GrpcServerTlsEngine.check(TlsEngine.OPENSSL, GrpcBoringSsl.shaded())).isEqualTo(TlsEngine.OPENSSL);
        assertThatThrownBy(() -> GrpcServerTlsEngine.check(TlsEngine.JDK, GrpcBoringSsl.shaded()))
            .hasMessageContaining("spiffe.grpc.server.tls-engine=jdk cannot be honoured");
    }

    private static BoringSsl unloadable() {
        return BoringSsl.unavailable(new UnsatisfiedLinkError("libio_grpc_netty_shaded_netty_tcnative: wrong ELF class"),
                GrpcBoringSsl.REMEDY);
    }
}
