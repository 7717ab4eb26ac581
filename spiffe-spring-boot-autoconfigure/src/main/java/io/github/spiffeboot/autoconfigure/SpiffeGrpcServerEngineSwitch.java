package io.github.spiffeboot.autoconfigure;

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
 * bean exists ({@link GrpcServerTlsEngine#switchOffBoringSsl()}); the server's auto-configuration then checks
 * that it took effect. Nothing is touched for any other value, or without grpc-netty-shaded.
 */
class SpiffeGrpcServerEngineSwitch implements EnvironmentPostProcessor {

    static final String NETTY_SHADED = "io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl";

    private final Log logger;

    SpiffeGrpcServerEngineSwitch(DeferredLogFactory logs) {
        this.logger = logs.getLog(SpiffeGrpcServerEngineSwitch.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        boolean grpc = binder.bind("spiffe.grpc.enabled", Boolean.class).orElse(true);
        TlsEngine engine = binder.bind("spiffe.grpc.server.tls-engine", TlsEngine.class).orElse(TlsEngine.AUTO);
        if (!grpc || engine != TlsEngine.JDK || !ClassUtils.isPresent(NETTY_SHADED, application.getClassLoader())) {
            return;
        }
        if (GrpcServerTlsEngine.switchOffBoringSsl()) {
            logger.info("spiffe.grpc.server.tls-engine=jdk: grpc-netty-shaded's BoringSSL is switched off for this "
                    + "JVM (" + GrpcServerTlsEngine.BORINGSSL_OFF + "=true), so Boot's gRPC server, and every other "
                    + "gRPC transport of this JVM left on its default, handshakes with the JDK's TLS");
        }
    }
}
