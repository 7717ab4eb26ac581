package io.github.spiffeboot.engine;

import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which engine a transport gets: on this class path netty-tcnative is present and loads, so the real
 * availability check is exercised for "available"; "unavailable" is given explicitly, as one JVM cannot
 * unload a native library.
 */
class TlsEnginesTests {

    static final String PROPERTY = "spiffe.server.tls-engine";

    @Test
    void boringSslLoadsOnThisMachine() {
        assertThat(OpenSsl.isAvailable()).as(String.valueOf(OpenSsl.unavailabilityCause())).isTrue();
        assertThat(OpenSsl.versionString()).startsWith("BoringSSL");
    }

    @Test
    void autoTakesBoringSslWhenItLoads() {
        assertThat(TlsEngines.resolve(TlsEngine.AUTO, PROPERTY, "the server")).isEqualTo(TlsEngine.OPENSSL);
        assertThat(TlsEngines.resolve(TlsEngine.OPENSSL, PROPERTY, "the server")).isEqualTo(TlsEngine.OPENSSL);
    }

    @Test
    void jdkIsTakenWhenAskedForEvenWithBoringSslAvailable() {
        assertThat(TlsEngines.resolve(TlsEngine.JDK, PROPERTY, "the server")).isEqualTo(TlsEngine.JDK);
    }

    @Test
    void autoFallsBackToTheJdkWithoutBoringSsl() {
        assertThat(TlsEngines.resolve(TlsEngine.AUTO, PROPERTY, "the server",
                BoringSsl.unavailable(new ClassNotFoundException("io.netty.internal.tcnative.SSLContext"),
                        BoringSsl.NETTY_TCNATIVE_REMEDY))).isEqualTo(TlsEngine.JDK);
    }

    @Test
    void anExplicitOpensslThatCannotLoadFailsNamingThePropertyAndTheWayOut() {
        assertThatThrownBy(() -> TlsEngines.resolve(TlsEngine.OPENSSL, PROPERTY, "the server",
                BoringSsl.unavailable(new ClassNotFoundException("io.netty.internal.tcnative.SSLContext"),
                        BoringSsl.NETTY_TCNATIVE_REMEDY)))
            .isInstanceOf(TlsEngineUnavailableException.class)
            .hasMessageContaining("spiffe.server.tls-engine=openssl")
            .hasMessageContaining("netty-tcnative is not on the class path")
            .hasMessageContaining("netty-tcnative-boringssl-static")
            .hasMessageContaining("spiffe.server.tls-engine=auto")
            .satisfies(ex -> assertThat(((TlsEngineUnavailableException) ex).getProperty()).isEqualTo(PROPERTY));
        assertThatThrownBy(() -> TlsEngines.resolve(TlsEngine.OPENSSL, PROPERTY, "the server",
                BoringSsl.unavailable(new UnsatisfiedLinkError("libnetty_tcnative: wrong ELF class"),
                        BoringSsl.NETTY_TCNATIVE_REMEDY)))
            .hasMessageContaining("UnsatisfiedLinkError: libnetty_tcnative: wrong ELF class");
    }
}
