package io.github.spiffeboot.autoconfigure;

import java.util.Map;
import java.util.function.Supplier;

import io.github.spiffeboot.grpc.GrpcServerTlsEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@code spiffe.grpc.server.tls-engine=jdk} switches grpc-netty-shaded's BoringSSL off, and when it leaves
 * the JVM alone. Only the system property is looked at (setting it has no effect on a JVM where gRPC's TLS was
 * used already, as in this one; {@code GrpcIntegrationTestsOnJdkServer} shows the effect in a JVM of its own).
 */
class SpiffeGrpcServerEngineSwitchTests {

    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(GrpcServerTlsEngine.BORINGSSL_OFF);
        System.clearProperty(GrpcServerTlsEngine.BORINGSSL_OFF);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(GrpcServerTlsEngine.BORINGSSL_OFF);
        }
        else {
            System.setProperty(GrpcServerTlsEngine.BORINGSSL_OFF, before);
        }
    }

    @Test
    void jdkSwitchesBoringSslOffInAnyCase() {
        assertThat(switched(Map.of("spiffe.grpc.server.tls-engine", "jdk"))).isEqualTo("true");
        System.clearProperty(GrpcServerTlsEngine.BORINGSSL_OFF);
        assertThat(switched(Map.of("spiffe.grpc.server.tls-engine", "JDK"))).isEqualTo("true");
        System.clearProperty(GrpcServerTlsEngine.BORINGSSL_OFF);
        assertThat(switched(Map.of("spiffe.grpc.server.tls-engine", "jdk", "spiffe.grpc.enabled", "TRUE")))
            .isEqualTo("true");
    }

    @Test
    void otherEnginesLeaveTheJvmAlone() {
        assertThat(switched(Map.of())).isNull();
        assertThat(switched(Map.of("spiffe.grpc.server.tls-engine", "auto"))).isNull();
        assertThat(switched(Map.of("spiffe.grpc.server.tls-engine", "openssl"))).isNull();
    }

    @Test
    void jdkIsLeftAloneWhereTheServersAutoConfigurationIsSwitchedOff() {
        for (String name : SpiffeGrpcServerEngineSwitch.SWITCHES) {
            // Read as their @ConditionalOnProperty(havingValue = "true") reads them: anything else is off.
            for (String off : new String[] { "false", "off" }) {
                assertThat(switched(Map.of("spiffe.grpc.server.tls-engine", "jdk", name, off))).as(name + "=" + off)
                    .isNull();
            }
        }
    }

    @Test
    void aSwitchTheJvmWasGivenIsKept() {
        System.setProperty(GrpcServerTlsEngine.BORINGSSL_OFF, "false");
        assertThat(switched(Map.of("spiffe.grpc.server.tls-engine", "jdk"))).isEqualTo("false");
    }

    private static String switched(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        new SpiffeGrpcServerEngineSwitch(Supplier::get).postProcessEnvironment(environment, new SpringApplication());
        return System.getProperty(GrpcServerTlsEngine.BORINGSSL_OFF);
    }
}
