package io.github.spiffeboot.autoconfigure;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.github.spiffeboot.client.SpiffeClientTls;
import io.github.spiffeboot.jwt.JwtSvidUnavailableException;
import io.github.spiffeboot.jwt.JwtSvids;
import io.github.spiffeboot.jwt.WorkloadApiJwtSource;
import io.github.spiffeboot.source.WorkloadApiX509Source;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.source.X509ContextUpdatedEvent;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestTlsServer;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.EchoApplication;
import io.github.spiffeboot.testapp.RunningApplication;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplicationAotProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.context.support.DefaultLifecycleProcessor;
import java.net.URL;
import java.net.URLClassLoader;
import io.github.spiffeboot.server.UnprotectedWebServerException;
import io.github.spiffeboot.testapp.ReactiveEchoApplication;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.DefaultResourceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** How an application with the starter starts, waits for its identity, or fails to start and says why. */
@ExtendWith(OutputCaptureExtension.class)
class StartupIntegrationTests {

    private static final String ID = "spiffe://example.org/ns/production/sa/payment-service";

    private final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    @Test
    void startsWithTheIdentityFromTheSocketProperty(CapturedOutput output) {
        agent.identity(ID).start();
        try (RunningApplication app = RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress())) {
            assertThat(app.bean(X509ContextSource.class).current().svid().id()).hasToString(ID);
        }
        assertThat(output).contains("SPIFFE identity " + ID + " (trust domain example.org), X.509-SVID expires "
                + agent.currentSvid().leaf().getNotAfter().toInstant() + ", from the Workload API at unix://"
                + agent.socketPath());
    }

    @Test
    void fallsBackToTheSpiffeEndpointSocketVariable() {
        agent.identity(ID).start();
        try (RunningApplication app = RunningApplication.start("SPIFFE_ENDPOINT_SOCKET=unix:" + agent.socketPath())) {
            assertThat(app.bean(WorkloadApiX509Source.class).getAddress().path()).isEqualTo(agent.socketPath());
        }
    }

    @Test
    void waitsForARegistrationEntryToSync() throws Exception {
        agent.start();
        CompletableFuture<RunningApplication> starting = CompletableFuture.supplyAsync(() -> RunningApplication
            .start("spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.workload-api.startup-timeout=20s"));
        // The agent answers PermissionDenied until the entry has synced; the starter keeps asking.
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.svidRequestCount() > 1);
        agent.identity(ID);
        try (RunningApplication app = starting.get(30, TimeUnit.SECONDS)) {
            assertThat(app.bean(X509ContextSource.class).current().svid().id()).hasToString(ID);
        }
    }

    @Test
    void failsAfterTheStartupTimeoutExplainingWhatTheAgentSaid(CapturedOutput output) {
        agent.start();
        assertThatThrownBy(() -> RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.workload-api.startup-timeout=1s"))
            .hasRootCauseInstanceOf(io.github.spiffeboot.source.WorkloadApiStartupException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("No X.509-SVID arrived from the SPIFFE Workload API at socket unix://" + agent.socketPath())
            .contains("The agent answered: PERMISSION_DENIED: no identity issued")
            .contains("spiffe.workload-api.startup-timeout")
            .contains("spiffe.workload-api.socket");
    }

    @Test
    void failsClosedWhenNoSocketIsConfigured(CapturedOutput output) {
        assertThatThrownBy(() -> RunningApplication.start()).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("no Workload API socket is configured")
            .contains("spiffe.workload-api.socket")
            .contains("spiffe.enabled=false");
    }

    @Test
    void rejectsASocketThatIsNotAUnixPathNamingTheProperty(CapturedOutput output) {
        assertThatThrownBy(() -> RunningApplication.start("spiffe.workload-api.socket=tcp://127.0.0.1:8081"))
            .isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("spiffe.workload-api.socket")
            .contains("tcp://127.0.0.1:8081")
            .contains("is not a Unix socket address");
    }

    @Test
    void rejectsAMalformedSpiffeEndpointSocketNamingTheVariable(CapturedOutput output) {
        assertThatThrownBy(() -> RunningApplication.start("SPIFFE_ENDPOINT_SOCKET=agent.sock")).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("The SPIFFE Workload API socket in SPIFFE_ENDPOINT_SOCKET is malformed")
            .contains("'agent.sock'")
            .contains("Set SPIFFE_ENDPOINT_SOCKET to the agent's Unix socket");
    }

    @Test
    void rejectsAnUnknownTlsVersionNamingTheProperty(CapturedOutput output) {
        agent.identity(ID).start();
        assertThatThrownBy(() -> RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.server.tls-versions=TLSv1.1"))
            .isNotNull();
        assertThat(output).contains("spiffe.server.tls-versions").contains("'TLSv1.1' is not supported");
    }

    @Test
    void rejectsAnUnknownTlsEngineNamingTheProperty(CapturedOutput output) {
        agent.identity(ID).start();
        assertThatThrownBy(() -> RunningApplication.startReactive("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.server.tls-engine=boringssl"))
            .isNotNull();
        assertThat(output).contains("spiffe.server.tls-engine").contains("boringssl");
    }

    @Test
    void tomcatToldToHandshakeWithBoringSslDoesNotStartAndSaysWhere(CapturedOutput output) {
        agent.identity(ID).start();
        assertThatThrownBy(() -> RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.server.tls-engine=openssl"))
            .hasStackTraceContaining("spiffe.server.tls-engine=openssl cannot be honoured on Tomcat")
            .hasStackTraceContaining("Reactor Netty");
    }

    @Test
    void theLogSaysWhichTlsEngineEachNettyTransportChose(CapturedOutput output) {
        agent.identity(ID).start();
        try (RunningApplication app = RunningApplication.startReactive("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.client.tls-engine=jdk")) {
            app.bean(io.github.spiffeboot.client.SpiffeWebClients.class);
            assertThat(output).contains("The Reactor Netty server handshakes with BoringSSL (BoringSSL")
                .contains("spiffe.server.tls-engine=auto")
                .contains("WebClient handshakes with the JDK's TLS (spiffe.client.tls-engine=jdk)");
        }
    }

    @Test
    void rejectsAnUnknownClientAuthNamingTheProperty(CapturedOutput output) {
        agent.identity(ID).start();
        assertThatThrownBy(() -> RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.server.client-auth=sometimes"))
            .isNotNull();
        assertThat(output).contains("spiffe.server.client-auth").contains("sometimes");
    }

    @Test
    void publishesRotationsAsApplicationEvents() {
        agent.identity(ID).start();
        try (RunningApplication app = RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress())) {
            List<X509ContextUpdatedEvent> events = new CopyOnWriteArrayList<>();
            app.context().addApplicationListener((ApplicationListener<X509ContextUpdatedEvent>) events::add);
            TestSvid rotated = agent.rotate();
            await().atMost(Duration.ofSeconds(5)).until(() -> !events.isEmpty());
            assertThat(events.get(0).getContext().svid().leaf()).isEqualTo(rotated.leaf());
            assertThat(events.get(0).getSource()).isSameAs(app.bean(X509ContextSource.class));
        }
    }

    @Test
    void aotProcessingNeedsNoWorkloadApiAndNoSocket(@TempDir Path output) {
        // As on a build machine: no agent listens and no socket is configured. A management port of its own
        // makes AOT processing build the management context, which creates the web server factory and its
        // customizers (the SPIFFE connector among them).
        AbstractAotProcessor.Settings settings = AbstractAotProcessor.Settings.builder()
            .sourceOutput(output.resolve("sources"))
            .resourceOutput(output.resolve("resources"))
            .classOutput(output.resolve("classes"))
            .groupId("io.github.spiffeboot")
            .artifactId("echo")
            .build();
        new SpringApplicationAotProcessor(EchoApplication.class, settings,
                new String[] { "--management.server.port=0" }).process();
        assertThat(output.resolve("sources/io/github/spiffeboot/autoconfigure/SpiffeAutoConfiguration__BeanDefinitions.java"))
            .content()
            .contains("spiffeX509ContextSource");
        // The starter's runtime hints reach the native-image metadata the processing writes.
        assertThat(output.resolve("resources/META-INF/native-image/io.github.spiffeboot/echo/reachability-metadata.json"))
            .content()
            .contains("io.spiffe.workloadapi.grpc.Workload$X509SVIDResponse")
            .contains("libio_grpc_netty_shaded_netty_transport_native_epoll_");
        assertThat(agent.svidRequestCount()).isZero();
    }

    @Test
    void aRefreshedContextConnectsToNothingAndServesNothingUntilItsLifecycleStarts() throws Exception {
        agent.identity(ID).start();
        int port = freePort();
        // What a CDS training run (spring.context.exit=onRefresh) does: refresh, then stop before the lifecycle.
        ConfigurableApplicationContext context = new SpringApplicationBuilder(EchoApplication.class)
            .properties("server.port=" + port, "spring.main.banner-mode=off",
                    "spiffe.authz.default-policy=authenticated", "spiffe.workload-api.socket=" + agent.socketAddress())
            .initializers(RefreshOnly::register)
            .run();
        try {
            assertThat(agent.svidRequestCount()).isZero();
            assertThatThrownBy(() -> context.getBean(X509ContextSource.class).current())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not started");
            assertThatThrownBy(() -> context.getBean(SpiffeKeyManager.class).currentAlias())
                .isInstanceOf(IllegalStateException.class);
            // The spiffe SslBundle is registered already, and holds nothing to present or trust yet.
            SslBundle early = context.getBean(SslBundles.class).getBundle("spiffe");
            assertThat(early.getStores().getKeyStore().size()).isZero();
            assertThat(early.getStores().getTrustStore().size()).isZero();
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
            // An outgoing call cannot present an SVID it does not have: the handshake fails.
            try (TestTlsServer server = TestTlsServer.start(agent.authority().issue(ID, Duration.ofHours(1)),
                    agent.trustedAuthorities())) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
                assertThatThrownBy(() -> context.getBean(SpiffeClientTls.class)
                    .httpClient(PeerAuthorizer.any())
                    .send(request, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
                assertThat(server.handshakes()).isEmpty();
            }

            context.start();
            assertThat(context.getBean(X509ContextSource.class).current().svid().id()).hasToString(ID);
            assertThat(early.getStores().getKeyStore().getCertificate(early.getKey().getAlias()))
                .isEqualTo(agent.currentSvid().leaf());
            assertThat(context.getBean(SslBundles.class).getBundle("spiffe").getStores().getTrustStore().size())
                .isPositive();
            assertThat(agent.client("spiffe://example.org/ns/production/sa/order-service").get(port, "/whoami").body())
                .isEqualTo("spiffe://example.org/ns/production/sa/order-service");
        }
        finally {
            context.close();
        }
    }

    @Test
    void aRefreshedContextWithJwtSvidsResolvesNoSocketUntilItsLifecycleStarts() throws Exception {
        agent.identity(ID).start();
        // No socket configured, as on a build machine or in a training run: refreshing must not look for one.
        ConfigurableApplicationContext context = new SpringApplicationBuilder(EchoApplication.class)
            .properties("server.port=0", "spring.main.banner-mode=off", "spiffe.authz.default-policy=authenticated",
                    "spiffe.jwt.enabled=true", "spiffe.jwt.audiences=" + ID,
                    "spiffe.jwt.trusted-proxies=spiffe://example.org/ns/edge/sa/gateway")
            .initializers(RefreshOnly::register)
            .run();
        try {
            WorkloadApiJwtSource jwt = context.getBean(WorkloadApiJwtSource.class);
            assertThat(jwt.getAddress()).isNull();
            assertThat(jwt.isRunning()).isFalse();
            assertThatThrownBy(jwt::current).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> context.getBean(JwtSvids.class).token(ID))
                .isInstanceOf(JwtSvidUnavailableException.class);
            assertThat(agent.jwtSvidRequestCount()).isZero();
        }
        finally {
            context.close();
        }
    }

    @Test
    void tomcatAcceptsNoConnectionBeforeTheSvidHasArrived() throws Exception {
        agent.start();
        int port = freePort();
        CompletableFuture<RunningApplication> starting = CompletableFuture.supplyAsync(() -> RunningApplication
            .start("server.port=" + port, "spiffe.workload-api.socket=" + agent.socketAddress(),
                    "spiffe.workload-api.startup-timeout=20s"));
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> agent.svidRequestCount() > 0);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < deadline) {
                // While startup waits for the SVID, the port is not even bound.
                assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                    .isInstanceOf(ConnectException.class);
                Thread.sleep(50);
            }
            agent.identity(ID);
        }
        finally {
            try (RunningApplication app = starting.get(30, TimeUnit.SECONDS)) {
                assertThat(agent.client("spiffe://example.org/ns/production/sa/order-service").get(port, "/whoami")
                    .body()).isEqualTo("spiffe://example.org/ns/production/sa/order-service");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** Refreshes the context but leaves its lifecycle to a later {@code start()}, as a training run exits there. */
    private static final class RefreshOnly extends DefaultLifecycleProcessor {

        static void register(ConfigurableApplicationContext context) {
            RefreshOnly processor = new RefreshOnly();
            processor.setBeanFactory(context.getBeanFactory());
            context.getBeanFactory().registerSingleton("lifecycleProcessor", processor);
        }

        @Override
        public void onRefresh() {
        }
    }

    @Test
    void refusesToServeWebFluxOnAnOwnNettyFactoryThatLacksTheSpiffeCustomizer(CapturedOutput output) {
        agent.identity(ID).start();
        // A factory bean of the application's own gets no NettyServerCustomizer beans: it would serve plain HTTP.
        assertThatThrownBy(() -> ReactiveEchoApplication.builder(OwnNettyFactory.class)
            .properties("spiffe.workload-api.socket=" + agent.socketAddress())
            .run()).hasRootCauseInstanceOf(UnprotectedWebServerException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("The SPIFFE starter cannot protect this application's web server, Reactor Netty, reactive"
                    + " (WebFlux) (org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory)")
            .contains("spiffe.server.enabled=false");
    }

    @Test
    void refusesToServeOnJettyNamingTheServerAndTheOptOut(CapturedOutput output) throws Exception {
        agent.identity(ID).start();
        // Jetty's Boot module is kept off the test class path (Boot would prefer Jetty to Tomcat in every other
        // test); this application alone sees it, and so runs on Jetty as an application with Jetty would.
        Path jar = Path.of(System.getProperty("spiffe.test.spring-boot-jetty"));
        ClassLoader testLoader = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader withJetty = new URLClassLoader(new URL[] { jar.toUri().toURL() }, testLoader)) {
            Thread.currentThread().setContextClassLoader(withJetty);
            assertThatThrownBy(() -> new SpringApplicationBuilder(EchoApplication.class)
                .resourceLoader(new DefaultResourceLoader(withJetty))
                .properties("server.port=0", "spring.main.banner-mode=off",
                        "spiffe.workload-api.socket=" + agent.socketAddress())
                .run()).hasRootCauseInstanceOf(UnprotectedWebServerException.class);
        }
        finally {
            Thread.currentThread().setContextClassLoader(testLoader);
        }
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("The SPIFFE starter cannot protect this application's web server, Jetty, servlet"
                    + " (org.springframework.boot.jetty.servlet.JettyServletWebServerFactory)")
            .contains("spiffe.server.enabled=false");
    }

    @Test
    void refusesToServeWebFluxOnTomcatNamingTheServerAndTheOptOut(CapturedOutput output) {
        agent.identity(ID).start();
        assertThatThrownBy(() -> ReactiveEchoApplication.builder(ReactiveTomcat.class)
            .properties("spiffe.workload-api.socket=" + agent.socketAddress())
            .run()).hasRootCauseInstanceOf(UnprotectedWebServerException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("The SPIFFE starter cannot protect this application's web server, Tomcat, reactive (WebFlux)"
                    + " (org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory)")
            .contains("spiffe.server.enabled=false");
    }

    @Test
    void aServerTheStarterCannotProtectStartsWhenSpiffeServerIsTurnedOff() {
        agent.identity(ID).start();
        try (ConfigurableApplicationContext app = ReactiveEchoApplication.builder(ReactiveTomcat.class)
            .properties("spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.server.enabled=false")
            .run()) {
            assertThat(app.getBean(X509ContextSource.class).current().svid().id()).hasToString(ID);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnNettyFactory {

        @Bean
        NettyReactiveWebServerFactory ownNettyReactiveWebServerFactory() {
            return new NettyReactiveWebServerFactory(0);
        }
    }

    /** WebFlux on Tomcat, a server the starter does not protect for reactive applications. */
    @Configuration(proxyBeanMethods = false)
    static class ReactiveTomcat {

        @Bean
        TomcatReactiveWebServerFactory tomcatReactiveWebServerFactory() {
            return new TomcatReactiveWebServerFactory(0);
        }
    }
}
