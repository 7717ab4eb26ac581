package io.github.spiffeboot.autoconfigure;

import java.util.List;

import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.grpc.GrpcServerTlsEngine;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * {@code spiffe.grpc.server.tls-engine=jdk}: grpc-netty-shaded chooses its TLS provider once per JVM, the first
 * time gRPC's TLS is used, so its BoringSSL is switched off here, as the environment is ready and before any
 * bean exists ({@link GrpcServerTlsEngine#switchOffBoringSsl()}); {@link SpiffeGrpcServerTlsAutoConfiguration}
 * then checks that it took effect. Only where that auto-configuration can apply (the same switches, read the
 * same way as its conditions read them) and Boot's gRPC server is on the class path; nothing is touched for
 * any other value.
 */
class SpiffeGrpcServerEngineSwitch implements EnvironmentPostProcessor {

    static final String GRPC_SERVER = "org.springframework.boot.grpc.server.autoconfigure.GrpcServerProperties";

    static final String NETTY_SHADED = "io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl";

    /** The auto-configurations' switches, each on unless set to something other than "true". */
    static final List<String> SWITCHES = List.of("spiffe.enabled", "spiffe.grpc.enabled", "spiffe.ssl-bundle.enabled",
            "spring.grpc.server.enabled");

    private final Log logger;

    SpiffeGrpcServerEngineSwitch(DeferredLogFactory logs) {
        this.logger = logs.getLog(SpiffeGrpcServerEngineSwitch.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        TlsEngine engine = Binder.get(environment)
            .bind("spiffe.grpc.server.tls-engine", TlsEngine.class)
            .orElse(TlsEngine.AUTO);
        if (engine != TlsEngine.JDK) {
            return;
        }
        for (String name : SWITCHES) {
            String value = environment.getProperty(name);
            if (value != null && !value.equalsIgnoreCase("true")) {
                logger.info("spiffe.grpc.server.tls-engine=jdk left alone: " + name + "=" + value);
                return;
            }
        }
        ClassLoader classLoader = application.getClassLoader();
        if (!ClassUtils.isPresent(GRPC_SERVER, classLoader) || !ClassUtils.isPresent(NETTY_SHADED, classLoader)) {
            logger.warn("spiffe.grpc.server.tls-engine=jdk has no effect: Boot's gRPC server on grpc-netty-shaded is "
                    + "not on the class path");
            return;
        }
        if (GrpcServerTlsEngine.switchOffBoringSsl()) {
            logger.info("spiffe.grpc.server.tls-engine=jdk: grpc-netty-shaded's BoringSSL is switched off for this "
                    + "JVM (" + GrpcServerTlsEngine.BORINGSSL_OFF + "=true), so Boot's gRPC server, and every other "
                    + "gRPC transport of this JVM left on its default, handshakes with the JDK's TLS");
        }
    }
}
