package io.github.spiffeboot.grpc;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.system.CapturedOutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gRPC suite again with {@code spiffe.grpc.server.tls-engine=jdk}: Boot's gRPC server on the JDK's TLS,
 * with the same SPIFFE checks of every caller, rules, rotation and refusals. grpc-netty-shaded chooses its
 * provider once per JVM, so this suite runs in a JVM of its own (surefire execution
 * {@code grpc-server-on-the-jdk}) where the property is the first thing to touch it; the channels on
 * {@code auto} then use the JDK's TLS as well.
 */
class GrpcIntegrationTestsOnJdkServer extends GrpcIntegrationTests {

    @Override
    protected String serverEngine() {
        return "jdk";
    }

    @Test
    void grpcsBoringSslIsSwitchedOffForThisJvm() {
        assertThat(System.getProperty(GrpcServerTlsEngine.BORINGSSL_OFF)).isEqualTo("true");
        assertThat(GrpcBoringSsl.shaded().available()).isFalse();
    }

    @Override
    @Test
    void aServerEngineThisJvmCannotGiveStopsTheStartSayingWhy(CapturedOutput output) {
        // Here it is the other way round: BoringSSL is off, so a server asking for it cannot start.
        assertThatThrownBy(() -> payments(agent).properties("spiffe.grpc.server.tls-engine=openssl").run())
            .hasStackTraceContaining("spiffe.grpc.server.tls-engine=openssl, but BoringSSL cannot be loaded")
            .hasStackTraceContaining("OpenSSL was explicit disabled");
    }
}
