package io.github.spiffeboot.benchmarks.x509;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.core.env.Environment;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Matches requests that arrived on the management port. The port is read from
 * {@code local.management.port}, the port actually bound (management.server.port may be 0), once it is known,
 * and then kept, so that requests on the application port cost an int comparison.
 */
final class ManagementPortMatcher implements RequestMatcher {

    private final Environment environment;

    private volatile int port;

    ManagementPortMatcher(Environment environment) {
        this.environment = environment;
    }

    @Override
    public boolean matches(HttpServletRequest request) {
        int bound = port;
        if (bound == 0) {
            bound = environment.getProperty("local.management.port", Integer.class, 0);
            port = bound;
        }
        return bound != 0 && request.getLocalPort() == bound;
    }
}
