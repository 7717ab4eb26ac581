package io.github.spiffeboot.grpc;

/**
 * The gRPC suite again, with the starter's gRPC channels on the JDK's TLS instead of grpc-netty-shaded's
 * BoringSSL: same SPIFFE checks of the server, same refusal of a server with another ID, no session resumed
 * from a server that issues tickets. Boot's gRPC server itself stays on BoringSSL: it picks its provider
 * itself ({@link GrpcServerTlsEngine}).
 */
class GrpcIntegrationTestsOnJdkTls extends GrpcIntegrationTests {

    @Override
    protected String channelEngine() {
        return "jdk";
    }
}
