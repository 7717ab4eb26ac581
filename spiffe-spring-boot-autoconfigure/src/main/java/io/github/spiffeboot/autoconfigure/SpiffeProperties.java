package io.github.spiffeboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.github.spiffeboot.server.ClientAuth;
import io.github.spiffeboot.source.WorkloadApiAddress;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * SPIFFE configuration, under {@code spiffe.*}. Invalid values fail startup with the property named.
 */
@Validated
@ConfigurationProperties("spiffe")
public class SpiffeProperties implements Validator {

    private static final Set<String> TLS_VERSIONS = Set.of("TLSv1.2", "TLSv1.3");

    /**
     * Whether to set up SPIFFE at all. When false the application behaves as if the starter were absent.
     */
    private boolean enabled = true;

    private final WorkloadApi workloadApi = new WorkloadApi();

    private final Server server = new Server();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public WorkloadApi getWorkloadApi() {
        return workloadApi;
    }

    public Server getServer() {
        return server;
    }

    @Override
    public boolean supports(Class<?> clazz) {
        return SpiffeProperties.class.isAssignableFrom(clazz);
    }

    @Override
    public void validate(Object target, Errors errors) {
        String socket = workloadApi.getSocket();
        if (socket != null) {
            try {
                WorkloadApiAddress.parse(socket);
            }
            catch (IllegalArgumentException ex) {
                errors.rejectValue("workload-api.socket", "invalid", ex.getMessage());
            }
        }
        positive(errors, "workload-api.startup-timeout", workloadApi.getStartupTimeout());
        positive(errors, "workload-api.initial-backoff", workloadApi.getInitialBackoff());
        positive(errors, "workload-api.max-backoff", workloadApi.getMaxBackoff());
        if (workloadApi.getInitialBackoff() != null && workloadApi.getMaxBackoff() != null
                && workloadApi.getInitialBackoff().compareTo(workloadApi.getMaxBackoff()) > 0) {
            errors.rejectValue("workload-api.max-backoff", "invalid", "must not be smaller than initial-backoff");
        }
        if (server.getTlsVersions() == null || server.getTlsVersions().isEmpty()) {
            errors.rejectValue("server.tls-versions", "empty", "must name at least one TLS version");
        }
        else {
            for (String version : server.getTlsVersions()) {
                if (!TLS_VERSIONS.contains(version)) {
                    errors.rejectValue("server.tls-versions", "invalid",
                            "'" + version + "' is not supported; use TLSv1.3 and/or TLSv1.2");
                }
            }
        }
    }

    private static void positive(Errors errors, String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            errors.rejectValue(field, "invalid", "must be a positive duration");
        }
    }

    /** Where and how to reach the SPIFFE Workload API. */
    public static class WorkloadApi {

        /**
         * The Workload API socket: unix:///path, unix:/path or /path. Defaults to the
         * SPIFFE_ENDPOINT_SOCKET environment variable.
         */
        private String socket;

        /**
         * How long startup waits for the first X.509-SVID (an agent starting, a registration entry
         * syncing) before the application fails to start.
         */
        private Duration startupTimeout = Duration.ofSeconds(30);

        /**
         * First delay before retrying the Workload API; doubles on each failure.
         */
        private Duration initialBackoff = Duration.ofMillis(100);

        /**
         * Longest delay between retries of the Workload API.
         */
        private Duration maxBackoff = Duration.ofSeconds(5);

        public String getSocket() {
            return socket;
        }

        public void setSocket(String socket) {
            this.socket = socket;
        }

        public Duration getStartupTimeout() {
            return startupTimeout;
        }

        public void setStartupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }
    }

    /** mTLS on the embedded web server. */
    public static class Server {

        /**
         * Whether the embedded Tomcat serves mTLS with the SVID. Also off when any server.ssl.* property
         * is set: the application then configures TLS itself.
         */
        private boolean enabled = true;

        /**
         * Whether clients must present an SVID ('need') or may connect without one ('want'; requests
         * without an identity are then refused by authorization).
         */
        private ClientAuth clientAuth = ClientAuth.NEED;

        /**
         * TLS versions to accept: TLSv1.3 and/or TLSv1.2.
         */
        private List<String> tlsVersions = new ArrayList<>(List.of("TLSv1.3"));

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public ClientAuth getClientAuth() {
            return clientAuth;
        }

        public void setClientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
        }

        public List<String> getTlsVersions() {
            return tlsVersions;
        }

        public void setTlsVersions(List<String> tlsVersions) {
            this.tlsVersions = tlsVersions;
        }
    }
}
