package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.server.UnprotectedWebServerException;
import io.github.spiffeboot.source.WorkloadApiStartupException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Startup failures explained in terms of the property to change. */
final class SpiffeFailureAnalyzers {

    private SpiffeFailureAnalyzers() {
    }

    static final class WorkloadApiStartup extends AbstractFailureAnalyzer<WorkloadApiStartupException> {

        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, WorkloadApiStartupException cause) {
            String description = (cause.isRetryable()
                    ? "No X.509-SVID arrived from the SPIFFE Workload API at socket " + cause.getAddress()
                            + " within " + cause.getTimeout() + " (spiffe.workload-api.startup-timeout)."
                    : "The SPIFFE Workload API at socket " + cause.getAddress()
                            + " rejected the request and must not be retried.")
                    + "\n\nThe agent answered: " + cause.getLastAnswer();
            String action = cause.isRetryable()
                    ? "Check that a SPIFFE agent (such as SPIRE) listens on " + cause.getAddress()
                            + " and that a registration entry matches this workload (PERMISSION_DENIED means it has none"
                            + " yet). Point spiffe.workload-api.socket (or SPIFFE_ENDPOINT_SOCKET) at the right socket,"
                            + " or raise spiffe.workload-api.startup-timeout if entries take longer to sync."
                    : "Check that spiffe.workload-api.socket (or SPIFFE_ENDPOINT_SOCKET) points at a SPIFFE Workload"
                            + " API and not some other gRPC service.";
            return new FailureAnalysis(description, action, cause);
        }
    }

    static final class SocketNotConfigured extends AbstractFailureAnalyzer<WorkloadApiSocketNotConfiguredException> {

        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, WorkloadApiSocketNotConfiguredException cause) {
            if (cause.getOrigin() != null) {
                return new FailureAnalysis(cause.getMessage() + " (value: '" + cause.getValue() + "').",
                        "Set " + cause.getOrigin() + " to the agent's Unix socket, as unix:///path/to/agent.sock,"
                                + " unix:/path/to/agent.sock or /path/to/agent.sock.",
                        cause);
            }
            return new FailureAnalysis(
                    "The SPIFFE starter is enabled but no Workload API socket is configured, so this application"
                            + " has no identity and would serve without mTLS.",
                    "Set spiffe.workload-api.socket (for example unix:///run/spire/sockets/agent.sock) or the"
                            + " SPIFFE_ENDPOINT_SOCKET environment variable, or set spiffe.enabled=false to run"
                            + " without SPIFFE.",
                    cause);
        }
    }

    static final class UnprotectedWebServer extends AbstractFailureAnalyzer<UnprotectedWebServerException> {

        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, UnprotectedWebServerException cause) {
            return new FailureAnalysis("The SPIFFE starter cannot protect this application's web server, "
                    + cause.getServerType() + ": it would serve without SPIFFE mTLS and without the"
                    + " spiffe.authz rules.",
                    "Run the application on a web server the starter protects (Tomcat with Spring MVC, Reactor"
                            + " Netty with WebFlux), or set spiffe.server.enabled=false to start this server without"
                            + " SPIFFE mTLS (and configure TLS yourself, with server.ssl.*).",
                    cause);
        }
    }
}
