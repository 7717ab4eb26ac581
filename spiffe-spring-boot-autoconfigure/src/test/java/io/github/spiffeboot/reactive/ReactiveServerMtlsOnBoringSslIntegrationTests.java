package io.github.spiffeboot.reactive;

/**
 * The Reactor Netty server mTLS suite again, with the server handshaking on BoringSSL (netty-tcnative)
 * instead of the JDK: same live SVID, same SPIFFE verification, same refusals, no session resumption.
 */
class ReactiveServerMtlsOnBoringSslIntegrationTests extends ReactiveServerMtlsIntegrationTests {

    @Override
    protected String engine() {
        return "openssl";
    }
}
