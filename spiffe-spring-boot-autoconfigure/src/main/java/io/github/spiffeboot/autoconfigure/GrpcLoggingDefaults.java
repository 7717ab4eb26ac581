package io.github.spiffeboot.autoconfigure;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * gRPC sets SO_KEEPALIVE on every channel and Netty warns, on every (re)connect, that a Unix domain
 * socket has no such option. Quiet that one logger by default; any logging.level the application sets
 * wins, since this source comes last.
 */
class GrpcLoggingDefaults implements EnvironmentPostProcessor {

    static final String NETTY_BOOTSTRAP_LEVEL = "logging.level.io.grpc.netty.shaded.io.netty.bootstrap";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources()
            .addLast(new MapPropertySource("spiffeLoggingDefaults", Map.of(NETTY_BOOTSTRAP_LEVEL, "ERROR")));
    }
}
