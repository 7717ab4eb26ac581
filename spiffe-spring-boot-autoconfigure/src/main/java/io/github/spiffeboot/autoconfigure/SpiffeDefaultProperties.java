package io.github.spiffeboot.autoconfigure;

import java.util.Map;

import io.github.spiffeboot.observability.SpiffeHealthIndicator;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults the starter needs from other parts of Spring Boot. This source comes last, so anything the
 * application sets wins.
 * <ul>
 * <li>gRPC sets SO_KEEPALIVE on every channel and Netty warns, on every (re)connect, that a Unix domain
 * socket has no such option: that one logger is quietened.</li>
 * <li>The health status {@code WARNING} ranks between DOWN and UP, and answers HTTP 200.</li>
 * </ul>
 */
class SpiffeDefaultProperties implements EnvironmentPostProcessor {

    static final String NETTY_BOOTSTRAP_LEVEL = "logging.level.io.grpc.netty.shaded.io.netty.bootstrap";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources()
            .addLast(new MapPropertySource("spiffeDefaults", Map.of(NETTY_BOOTSTRAP_LEVEL, "ERROR",
                    "management.endpoint.health.status.order",
                    "DOWN,OUT_OF_SERVICE," + SpiffeHealthIndicator.WARNING + ",UP,UNKNOWN",
                    // A mapping replaces Boot's defaults as a whole, so they are repeated here.
                    "management.endpoint.health.status.http-mapping.DOWN", "503",
                    "management.endpoint.health.status.http-mapping.OUT_OF_SERVICE", "503",
                    "management.endpoint.health.status.http-mapping." + SpiffeHealthIndicator.WARNING, "200")));
    }
}
