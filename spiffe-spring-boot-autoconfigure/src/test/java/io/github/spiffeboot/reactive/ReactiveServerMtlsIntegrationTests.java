package io.github.spiffeboot.reactive;

import io.github.spiffeboot.server.ServerMtlsIntegrationTests;
import io.github.spiffeboot.testapp.RunningApplication;

/**
 * Every server mTLS test (hostile certificates, rotation with open connections kept, agent restart, no
 * session resumption, federation, client-auth 'want', TLS 1.2) against a WebFlux application on Reactor
 * Netty, with real handshakes over real sockets.
 */
public class ReactiveServerMtlsIntegrationTests extends ServerMtlsIntegrationTests {

    @Override
    protected RunningApplication launch(String... properties) {
        return RunningApplication.startReactive(RunningApplication.with(properties, "spiffe.server.tls-engine=" + engine()));
    }

    /** The TLS engine the suite runs on: the JDK's here, BoringSSL in the subclass. */
    protected String engine() {
        return "jdk";
    }
}
