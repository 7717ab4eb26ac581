package io.github.spiffeboot.reactive;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.github.spiffeboot.observability.ObservabilityIntegrationTests;
import io.github.spiffeboot.testapp.RunningApplication;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every observability test (metrics, health and readiness over plain HTTP on the management port, closed
 * apart from health, info and Prometheus; the application port SPIFFE-only) against a WebFlux application
 * on Reactor Netty, whose management server is a Netty server of its own.
 */
public class ReactiveObservabilityIntegrationTests extends ObservabilityIntegrationTests {

    @Override
    protected RunningApplication launch(String... properties) {
        return RunningApplication.startReactive(RunningApplication.with(properties, "spiffe.server.tls-engine=" + engine()));
    }

    /** The TLS engine the suite runs on: the JDK's here, BoringSSL in the subclass. */
    protected String engine() {
        return "jdk";
    }

    /** Plain HTTP to the TLS port: Netty finds no TLS record and closes the connection without an answer. */
    @Override
    protected void assertPlainHttpIsRefused(int port) {
        assertThatThrownBy(() -> HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(IOException.class);
    }
}
