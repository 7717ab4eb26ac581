package io.github.spiffeboot.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.server.SpiffeTomcatConnectorCustomizer;
import io.github.spiffeboot.source.X509Context;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.X509BundleSet;
import io.github.spiffeboot.svid.X509Svid;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.RunningApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The ways out: plain Spring Boot behaviour when the application asks for it, and bean back-off. */
class OptOutIntegrationTests {

    private static final String ID = "spiffe://example.org/ns/production/sa/payment-service";

    private final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    @Test
    void spiffeEnabledFalseGivesPlainSpringBootWithoutTouchingTheWorkloadApi() throws Exception {
        try (RunningApplication app = RunningApplication.start("spiffe.enabled=false")) {
            // Plain HTTP, and Spring Boot's own default security (HTTP Basic) instead of SPIFFE's.
            HttpResponse<String> response = plainHttpGet(app.port());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Basic"));
            assertThat(app.context().getBeansOfType(X509ContextSource.class)).isEmpty();
        }
    }

    @Test
    void spiffeServerEnabledFalseKeepsTheIdentityButServesPlainHttp() throws Exception {
        agent.identity(ID).start();
        try (RunningApplication app = RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.server.enabled=false")) {
            // Plain HTTP carries no client certificate: SPIFFE authorization answers 401.
            HttpResponse<String> response = plainHttpGet(app.port());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).contains("\"error\":\"unauthenticated\"");
            assertThat(app.bean(X509ContextSource.class).current().svid().id()).hasToString(ID);
            assertThat(app.context().getBeansOfType(SpiffeTomcatConnectorCustomizer.class)).isEmpty();
        }
    }

    @Test
    void ownServerSslConfigurationWins(@TempDir Path directory) throws IOException {
        agent.identity(ID).start();
        TestSvid own = agent.authority().issue("spiffe://example.org/own-tls", Duration.ofHours(1));
        Path certificate = directory.resolve("cert.pem");
        Path key = directory.resolve("key.pem");
        own.writePem(certificate, key);
        try (RunningApplication app = RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "server.ssl.certificate=file:" + certificate, "server.ssl.certificate-private-key=file:" + key)) {
            assertThat(app.context().getBeansOfType(SpiffeTomcatConnectorCustomizer.class)).isEmpty();
            try (TestHttpConnection connection = agent.anonymousClient().connect(app.port())) {
                assertThat(connection.serverCertificate()).isEqualTo(own.leaf());
                assertThat(connection.get("/whoami").status()).isEqualTo(401);
            }
        }
    }

    @Test
    void ownTlsWithAFlatTrustStoreStillGetsSpiffeValidationOfTheCaller(@TempDir Path directory) throws IOException {
        // server.ssl trusts both our CA and a partner's CA in one PKIX store (the flattening pitfall): the TLS
        // layer lets a partner-signed certificate claiming our trust domain's ID through, the filter must not.
        agent.identity(ID).start();
        io.github.spiffeboot.test.TestCertificateAuthority partner = io.github.spiffeboot.test.TestCertificateAuthority
            .create("partner.example");
        agent.federateWith(partner);
        TestSvid own = agent.authority().issue("spiffe://example.org/own-tls", Duration.ofHours(1));
        own.writePem(directory.resolve("cert.pem"), directory.resolve("key.pem"));
        new TestSvid(java.util.List.of(agent.authority().certificate(), partner.certificate()), null)
            .writePem(directory.resolve("trust.pem"), null);
        String caller = "spiffe://example.org/ns/production/sa/order-service";
        try (RunningApplication app = RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "server.ssl.certificate=file:" + directory.resolve("cert.pem"),
                "server.ssl.certificate-private-key=file:" + directory.resolve("key.pem"),
                "server.ssl.trust-certificate=file:" + directory.resolve("trust.pem"), "server.ssl.client-auth=need")) {
            assertThat(agent.client(caller).get(app.port(), "/whoami").body()).isEqualTo(caller);
            var forged = io.github.spiffeboot.test.SpiffeTestClient.withSvid(partner.issue(caller, Duration.ofHours(1)),
                    agent.trustedAuthorities());
            assertThat(forged.get(app.port(), "/whoami").status()).isEqualTo(401);
        }
    }

    @Test
    void anApplicationsOwnSourceReplacesTheWorkloadApi() throws IOException {
        TestSvid fixed = agent.authority().issue(ID, Duration.ofHours(1));
        FixedSourceConfiguration.context = new X509Context(
                new X509Svid(SpiffeId.parse(ID), fixed.chain(), fixed.privateKey()),
                new X509BundleSet(java.util.Map.of(new TrustDomain("example.org"), agent.authority().bundle())));
        // No socket configured and no agent running: the application's bean is all there is.
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                io.github.spiffeboot.testapp.EchoApplication.class, FixedSourceConfiguration.class)
            .properties("server.port=0", "spiffe.authz.default-policy=authenticated")
            .run()) {
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            assertThat(context.getBean(X509ContextSource.class)).isInstanceOf(FixedSource.class);
            try (TestHttpConnection connection = agent.client("spiffe://example.org/caller").connect(port)) {
                assertThat(connection.serverCertificate()).isEqualTo(fixed.leaf());
                assertThat(connection.get("/whoami").body()).isEqualTo("spiffe://example.org/caller");
            }
        }
    }

    private static HttpResponse<String> plainHttpGet(int port) throws Exception {
        return HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/whoami")).build(),
                    HttpResponse.BodyHandlers.ofString());
    }

    @Configuration(proxyBeanMethods = false)
    static class FixedSourceConfiguration {

        static X509Context context;

        @Bean
        FixedSource fixedSource() {
            return new FixedSource(context);
        }
    }

    record FixedSource(X509Context current) implements X509ContextSource {

        @Override
        public void addListener(Consumer<X509Context> listener) {
        }
    }
}
