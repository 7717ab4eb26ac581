package io.github.spiffeboot.reactive;

/**
 * The Reactor Netty observability (handshake rejections counted by reason, including clients that send no certificate) suite again, with the server handshaking on BoringSSL (netty-tcnative)
 * instead of the JDK.
 */
class ReactiveObservabilityOnBoringSslIntegrationTests extends ReactiveObservabilityIntegrationTests {

    @Override
    protected String engine() {
        return "openssl";
    }
}
