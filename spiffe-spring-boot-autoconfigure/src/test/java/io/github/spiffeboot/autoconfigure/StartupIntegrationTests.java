package io.github.spiffeboot.autoconfigure;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.spiffeboot.source.WorkloadApiX509Source;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.source.X509ContextUpdatedEvent;
import io.github.spiffeboot.server.UnprotectedWebServerException;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.EchoApplication;
import io.github.spiffeboot.testapp.ReactiveEchoApplication;
import io.github.spiffeboot.testapp.RunningApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
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
    void waitsForARegistrationEntryToSync() {
        agent.identity(ID).denyFor(Duration.ofSeconds(2)).start();
        try (RunningApplication app = RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.workload-api.startup-timeout=20s")) {
            assertThat(app.bean(X509ContextSource.class).current().svid().id()).hasToString(ID);
            assertThat(agent.svidRequestCount()).isGreaterThan(1);
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
