package io.github.spiffeboot.reactive;

import java.net.InetSocketAddress;

import org.springframework.core.env.Environment;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Matches exchanges that arrived on the management port ({@code management.server.port}), as
 * {@code ManagementPortRequestMatcher} does for servlet requests. The chain that owns this matcher is asked
 * first on every exchange of every port, so the port is looked up in the environment once, not per
 * exchange: {@code local.management.port} (the port actually bound, which matters when
 * {@code management.server.port} is 0) once the server has started, else a fixed
 * {@code management.server.port}. A management port that is the application's own port is no separate
 * port, and matches nothing.
 */
public final class ManagementPortExchangeMatcher implements ServerWebExchangeMatcher {

    private static final int UNKNOWN = -1;

    private final Environment environment;

    private volatile int port = UNKNOWN;

    public ManagementPortExchangeMatcher(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Mono<MatchResult> matches(ServerWebExchange exchange) {
        int managementPort = port;
        if (managementPort == UNKNOWN) {
            managementPort = resolve();
            if (managementPort == UNKNOWN) {
                return MatchResult.notMatch();
            }
            port = managementPort;
        }
        InetSocketAddress local = exchange.getRequest().getLocalAddress();
        return (local != null && local.getPort() == managementPort) ? MatchResult.match() : MatchResult.notMatch();
    }

    private int resolve() {
        String bound = environment.getProperty("local.management.port");
        if (bound == null) {
            bound = environment.getProperty("management.server.port");
        }
        try {
            int value = (bound != null) ? Integer.parseInt(bound.trim()) : UNKNOWN;
            // Management on the application's own port is no separate port: this chain must not take it over.
            String application = environment.getProperty("local.server.port", environment.getProperty("server.port", ""));
            return (value > 0 && !String.valueOf(value).equals(application.trim())) ? value : UNKNOWN;
        }
        catch (NumberFormatException ex) {
            return UNKNOWN;
        }
    }
}
