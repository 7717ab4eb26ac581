package io.github.spiffeboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.authz.AuthorizationPolicy.DefaultPolicy;
import io.github.spiffeboot.authz.AuthorizationRule;
import io.github.spiffeboot.authz.CallerSet;
import io.github.spiffeboot.authz.EndpointPattern;
import io.github.spiffeboot.authz.InvalidRuleException;
import io.github.spiffeboot.authz.SpiffeIdPattern;
import io.github.spiffeboot.engine.TlsEngine;
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

    private final Authz authz = new Authz();

    private final Client client = new Client();

    private final Health health = new Health();

    private final Metrics metrics = new Metrics();

    private final Grpc grpc = new Grpc();

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

    public Authz getAuthz() {
        return authz;
    }

    public Client getClient() {
        return client;
    }

    public Health getHealth() {
        return health;
    }

    public Grpc getGrpc() {
        return grpc;
    }

    public Metrics getMetrics() {
        return metrics;
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
        validateAuthz(errors);
        checkPatterns(errors, "client.expected-server-ids", client.getExpectedServerIds());
        client.getServers().forEach((name, server) -> {
            if (server.getIds().isEmpty()) {
                errors.rejectValue("client.servers." + name + ".ids", "missing",
                        "name the SPIFFE ID(s) the server '" + name + "' must present");
            }
            checkPatterns(errors, "client.servers." + name + ".ids", server.getIds());
            if (!server.isClientSvid() && (server.getJwtAudience() == null || server.getJwtAudience().isBlank())) {
                errors.rejectValue("client.servers." + name + ".jwt-audience", "missing", "client-svid=false "
                        + "needs a jwt-audience: without either credential, the server '" + name
                        + "' cannot tell who calls");
            }
        });
        if (!(health.getWarningFraction() > 0 && health.getWarningFraction() < 1)) {
            errors.rejectValue("health.warning-fraction", "invalid", "must be between 0 and 1 (exclusive)");
        }
        checkPatterns(errors, "metrics.caller-ids", metrics.getCallerIds());
        if (grpc.isEnabled() && grpc.getServer().getTlsEngine() == TlsEngine.JDK
                && grpc.getClient().getTlsEngine() == TlsEngine.OPENSSL) {
            errors.rejectValue("grpc.client.tls-engine", "conflict", "openssl cannot be used with "
                    + "spiffe.grpc.server.tls-engine=jdk: the server and the channels are both grpc-netty-shaded, "
                    + "whose BoringSSL jdk switches off for the whole JVM; use auto or jdk");
        }
        positive(errors, "client.connect-timeout", client.getConnectTimeout());
        positive(errors, "client.read-timeout", client.getReadTimeout());
    }

    private void validateAuthz(Errors errors) {
        for (int i = 0; i < authz.getAllowedCallers().size(); i++) {
            CallerRule rule = authz.getAllowedCallers().get(i);
            String prefix = "authz.allowed-callers[" + i + "].";
            if (rule.getGrpcMethod() != null) {
                if (rule.getPath() != null || !rule.getMethods().isEmpty()) {
                    errors.rejectValue(prefix + "grpc-method", "invalid",
                            "a rule names either a gRPC method or a path (and HTTP methods), not both");
                }
                check(errors, prefix + "grpc-method", () -> EndpointPattern.grpcMethod(rule.getGrpcMethod()));
            }
            else if (rule.getPath() == null) {
                errors.rejectValue(prefix + "path", "missing", "every rule needs a path (or a grpc-method)");
            }
            else {
                check(errors, prefix + "path", () -> EndpointPattern.parse(rule.getPath()));
            }
            for (int j = 0; j < rule.getMethods().size(); j++) {
                String method = rule.getMethods().get(j);
                check(errors, prefix + "methods[" + j + "]", () -> AuthorizationRule.parseMethods(List.of(method)));
            }
            checkPatterns(errors, prefix + "ids", rule.getIds());
            checkPatterns(errors, prefix + "deny-ids", rule.getDenyIds());
        }
        authz.getRoles().forEach((role, patterns) -> {
            if (!ROLE_NAME.matcher(role).matches()) {
                errors.rejectValue("authz.roles", "invalid",
                        "role name '" + role + "' must be upper case letters, digits and underscores");
            }
            checkPatterns(errors, "authz.roles." + role, patterns);
        });
    }

    private static final Pattern ROLE_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    private static void checkPatterns(Errors errors, String field, List<String> patterns) {
        for (int j = 0; j < patterns.size(); j++) {
            String pattern = patterns.get(j);
            check(errors, field + "[" + j + "]", () -> SpiffeIdPattern.parse(pattern));
        }
    }

    private static void check(Errors errors, String field, Runnable parse) {
        try {
            parse.run();
        }
        catch (InvalidRuleException ex) {
            errors.rejectValue(field, "invalid", ex.getMessage());
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
         * Whether the embedded web server (Tomcat, or Reactor Netty for WebFlux) serves mTLS with the SVID;
         * while on, a web server the starter cannot protect stops startup. Also off when any server.ssl.*
         * property is set: the application then configures TLS itself.
         */
        private boolean enabled = true;

        /**
         * Whether clients must present an SVID ('need') or may connect without one ('want'; requests
         * without an identity are then refused by authorization).
         */
        private ClientAuth clientAuth = ClientAuth.NEED;

        /**
         * TLS versions to accept: TLSv1.3 and/or TLSv1.2. The web server refuses other versions in the
         * handshake; Boot's gRPC server, whose TLS versions cannot be set, refuses every call on a connection
         * of another version (UNAUTHENTICATED).
         */
        private List<String> tlsVersions = new ArrayList<>(List.of("TLSv1.3"));

        /**
         * TLS implementation of the Reactor Netty server (WebFlux): 'auto' (BoringSSL when
         * netty-tcnative-boringssl-static is on the class path and loads, else the JDK), 'openssl' (BoringSSL,
         * or startup fails) or 'jdk'. Tomcat always uses the JDK's TLS.
         */
        private TlsEngine tlsEngine = TlsEngine.AUTO;

        public TlsEngine getTlsEngine() {
            return tlsEngine;
        }

        public void setTlsEngine(TlsEngine tlsEngine) {
            this.tlsEngine = tlsEngine;
        }

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

    /** Who may call which endpoint, enforced by the starter's security filter chain. */
    public static class Authz {

        /**
         * Whether to install the SPIFFE security filter chain (when the application defines none).
         */
        private boolean enabled = true;

        /**
         * What happens to requests no rule covers: 'deny', or 'authenticated' (any SPIFFE identity).
         */
        private DefaultPolicy defaultPolicy = DefaultPolicy.DENY;

        /**
         * Log and count denials without denying (for rolling out rules). Requests without any SPIFFE
         * identity are refused all the same.
         */
        private boolean dryRun;

        /**
         * Whether to write an audit log line for allowed requests too (denials are always logged).
         */
        private boolean logAllowed;

        /**
         * Roles granted to callers: role name (without ROLE_) to SPIFFE IDs or patterns.
         */
        private Map<String, List<String>> roles = new LinkedHashMap<>();

        /**
         * The allowlist, one entry per endpoint. The most specific matching entry decides; a caller on any
         * matching entry's deny-ids is denied.
         */
        private List<CallerRule> allowedCallers = new ArrayList<>();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public DefaultPolicy getDefaultPolicy() {
            return defaultPolicy;
        }

        public void setDefaultPolicy(DefaultPolicy defaultPolicy) {
            this.defaultPolicy = defaultPolicy;
        }

        public boolean isDryRun() {
            return dryRun;
        }

        public void setDryRun(boolean dryRun) {
            this.dryRun = dryRun;
        }

        public boolean isLogAllowed() {
            return logAllowed;
        }

        public void setLogAllowed(boolean logAllowed) {
            this.logAllowed = logAllowed;
        }

        public Map<String, List<String>> getRoles() {
            return roles;
        }

        public void setRoles(Map<String, List<String>> roles) {
            this.roles = roles;
        }

        public List<CallerRule> getAllowedCallers() {
            return allowedCallers;
        }

        public void setAllowedCallers(List<CallerRule> allowedCallers) {
            this.allowedCallers = allowedCallers;
        }

        /** The compiled policy (the configuration has been validated by then). */
        public AuthorizationPolicy toPolicy() {
            List<AuthorizationRule> rules = new ArrayList<>();
            for (CallerRule rule : allowedCallers) {
                rules.add((rule.getGrpcMethod() != null)
                        ? AuthorizationRule.ofGrpcMethod(rule.getName(), rule.getGrpcMethod(), rule.getIds(),
                                rule.getDenyIds(), rule.isDryRun())
                        : AuthorizationRule.of(rule.getName(), rule.getPath(), rule.getMethods(), rule.getIds(),
                                rule.getDenyIds(), rule.isDryRun()));
            }
            return new AuthorizationPolicy(rules, defaultPolicy, dryRun);
        }

        /** The compiled role mapping. */
        public Map<String, CallerSet> toRoles() {
            Map<String, CallerSet> compiled = new LinkedHashMap<>();
            roles.forEach((role, patterns) -> compiled.put(role, CallerSet.parse(patterns)));
            return compiled;
        }
    }

    /** One allowlist entry. */
    public static class CallerRule {

        /**
         * A name for logs and metrics; defaults to the methods and path.
         */
        private String name;

        /**
         * The endpoint, written as its Spring MVC mapping is (within spring.mvc.servlet.path): literal
         * segments, '*' or '{name}' for one segment, a final '**' or '{*name}' for the rest
         * (/api/payments/{id}, /files/{*path}). Patterns within a segment, regular expressions and '**'
         * before the end are refused.
         */
        private String path;

        /**
         * HTTP methods covered; all when empty.
         */
        private List<String> methods = new ArrayList<>();

        /**
         * The gRPC method, instead of a path: its full name 'package.Service/Method', or 'package.Service/*'
         * for every method of the service. Decided as the request it is on the wire, POST
         * /package.Service/Method.
         */
        private String grpcMethod;

        /**
         * SPIFFE IDs allowed: exact IDs, spiffe://td/** for a whole trust domain, or '*' for one path segment.
         */
        private List<String> ids = new ArrayList<>();

        /**
         * SPIFFE IDs denied, whatever any rule allows.
         */
        private List<String> denyIds = new ArrayList<>();

        /**
         * Log and count this rule's denials without denying.
         */
        private boolean dryRun;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public List<String> getMethods() {
            return methods;
        }

        public void setMethods(List<String> methods) {
            this.methods = methods;
        }

        public String getGrpcMethod() {
            return grpcMethod;
        }

        public void setGrpcMethod(String grpcMethod) {
            this.grpcMethod = grpcMethod;
        }

        public List<String> getIds() {
            return ids;
        }

        public void setIds(List<String> ids) {
            this.ids = ids;
        }

        public List<String> getDenyIds() {
            return denyIds;
        }

        public void setDenyIds(List<String> denyIds) {
            this.denyIds = denyIds;
        }

        public boolean isDryRun() {
            return dryRun;
        }

        public void setDryRun(boolean dryRun) {
            this.dryRun = dryRun;
        }
    }

    /** SPIFFE mTLS for outgoing HTTP calls (RestClient, RestTemplate, WebClient). */
    public static class Client {

        /**
         * Whether the auto-configured RestClient.Builder, RestTemplateBuilder and WebClient.Builder use the
         * SVID and verify servers by SPIFFE ID.
         */
        private boolean enabled = true;

        /**
         * SPIFFE IDs or patterns servers may present, for clients not configured otherwise. Default: any
         * ID of this workload's own trust domain.
         */
        private List<String> expectedServerIds = new ArrayList<>();

        /**
         * Named servers: base URL and the SPIFFE IDs they must present.
         */
        private Map<String, ServerEndpoint> servers = new LinkedHashMap<>();

        /**
         * TLS implementation of the auto-configured WebClient (Reactor Netty): 'auto' (BoringSSL when
         * netty-tcnative-boringssl-static is on the class path and loads, else the JDK), 'openssl' (BoringSSL,
         * or startup fails) or 'jdk'. RestClient and RestTemplate always use the JDK's TLS.
         */
        private TlsEngine tlsEngine = TlsEngine.AUTO;

        public TlsEngine getTlsEngine() {
            return tlsEngine;
        }

        public void setTlsEngine(TlsEngine tlsEngine) {
            this.tlsEngine = tlsEngine;
        }

        /**
         * How long to wait for a connection (and its TLS handshake).
         */
        private Duration connectTimeout = Duration.ofSeconds(5);

        /**
         * How long to wait for a response.
         */
        private Duration readTimeout = Duration.ofSeconds(30);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getExpectedServerIds() {
            return expectedServerIds;
        }

        public void setExpectedServerIds(List<String> expectedServerIds) {
            this.expectedServerIds = expectedServerIds;
        }

        public Map<String, ServerEndpoint> getServers() {
            return servers;
        }

        public void setServers(Map<String, ServerEndpoint> servers) {
            this.servers = servers;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getReadTimeout() {
            return readTimeout;
        }

        public void setReadTimeout(Duration readTimeout) {
            this.readTimeout = readTimeout;
        }
    }

    /** A server that clients call. */
    public static class ServerEndpoint {

        /**
         * Base URL, for example https://payment-service:8443.
         */
        private String url;

        /**
         * SPIFFE IDs or patterns the server must present.
         */
        private List<String> ids = new ArrayList<>();

        /**
         * Audience of a JWT-SVID to send to this server in 'Authorization: Bearer' (needs
         * spiffe.jwt.enabled), for a server behind a TLS-terminating proxy, say. None is sent by default.
         */
        private String jwtAudience;

        /**
         * Whether to present this workload's X.509-SVID to this server. 'false' for a server behind a
         * TLS-terminating proxy that asks for no client certificate: the JWT-SVID (jwt-audience, required
         * then) alone says who calls. The server's own SVID is checked against 'ids' either way.
         */
        private boolean clientSvid = true;

        public boolean isClientSvid() {
            return clientSvid;
        }

        public void setClientSvid(boolean clientSvid) {
            this.clientSvid = clientSvid;
        }

        public String getJwtAudience() {
            return jwtAudience;
        }

        public void setJwtAudience(String jwtAudience) {
            this.jwtAudience = jwtAudience;
        }

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public List<String> getIds() {
            return ids;
        }

        public void setIds(List<String> ids) {
            this.ids = ids;
        }
    }

    /** The {@code spiffe} health indicator and readiness. */
    public static class Health {

        /**
         * Report WARNING when less than this fraction of the SVID's lifetime is left (SPIRE rotates at
         * half-life, so an SVID below this has missed its rotation).
         */
        private double warningFraction = 0.3;

        /**
         * Whether readiness follows the SVID: REFUSING_TRAFFIC while there is no valid SVID.
         */
        private boolean readiness = true;

        public double getWarningFraction() {
            return warningFraction;
        }

        public void setWarningFraction(double warningFraction) {
            this.warningFraction = warningFraction;
        }

        public boolean isReadiness() {
            return readiness;
        }

        public void setReadiness(boolean readiness) {
            this.readiness = readiness;
        }
    }

    /** Micrometer metrics. */
    public static class Metrics {

        /**
         * Caller SPIFFE IDs that get their own 'caller' tag on authorization metrics (all others are tagged
         * 'other'). Empty: no caller tag, keeping cardinality to rules and outcomes.
         */
        private List<String> callerIds = new ArrayList<>();

        public List<String> getCallerIds() {
            return callerIds;
        }

        public void setCallerIds(List<String> callerIds) {
            this.callerIds = callerIds;
        }
    }

    /** gRPC services (Spring Boot's gRPC server) on SPIFFE identities. */
    public static class Grpc {

        /**
         * Whether Boot's gRPC server serves mTLS on the spiffe SSL bundle (client certificate required) and
         * every call is authorized with spiffe.authz (grpc-method rules).
         */
        private boolean enabled = true;

        private final GrpcServer server = new GrpcServer();

        private final GrpcClient client = new GrpcClient();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public GrpcServer getServer() {
            return server;
        }

        public GrpcClient getClient() {
            return client;
        }
    }

    /** Boot's gRPC server, while the starter configures its TLS. */
    public static class GrpcServer {

        /**
         * TLS implementation of Boot's gRPC server: 'auto' (whatever grpc-netty-shaded picks: its own
         * BoringSSL when it loads on this platform, else the JDK), 'openssl' (BoringSSL, or startup fails) or
         * 'jdk'. grpc-netty-shaded picks its provider once per JVM, so 'jdk' switches its BoringSSL off for the
         * whole JVM as the application starts (gRPC channels on 'auto' then use the JDK too); if something used
         * gRPC's TLS before that, startup stops rather than the property being ignored.
         */
        private TlsEngine tlsEngine = TlsEngine.AUTO;

        public TlsEngine getTlsEngine() {
            return tlsEngine;
        }

        public void setTlsEngine(TlsEngine tlsEngine) {
            this.tlsEngine = tlsEngine;
        }
    }

    /** gRPC channels named in spiffe.client.servers. */
    public static class GrpcClient {

        /**
         * TLS implementation of the gRPC channels named in spiffe.client.servers: 'auto' (grpc-netty-shaded's
         * own BoringSSL when it loads on this platform, else the JDK; netty-tcnative is not needed), 'openssl'
         * (BoringSSL, or startup fails) or 'jdk'. Either never resumes a TLS session. With
         * spiffe.grpc.server.tls-engine=jdk, that BoringSSL is off for the whole JVM: 'auto' is the JDK, and
         * 'openssl' stops startup.
         */
        private TlsEngine tlsEngine = TlsEngine.AUTO;

        public TlsEngine getTlsEngine() {
            return tlsEngine;
        }

        public void setTlsEngine(TlsEngine tlsEngine) {
            this.tlsEngine = tlsEngine;
        }
    }
}
