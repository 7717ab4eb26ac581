package io.github.spiffeboot.grpc;

import io.github.spiffeboot.engine.BoringSsl;
import io.github.spiffeboot.engine.TlsEngine;
import io.github.spiffeboot.engine.TlsEngines;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * {@code spiffe.grpc.server.tls-engine} for Boot's gRPC server. Boot (spring-grpc's
 * {@code ShadedNettyGrpcServerFactory}) hands the {@code spiffe} bundle's key and trust managers to gRPC as
 * {@code TlsServerCredentials}, and grpc-netty-shaded turns those into a Netty context on its default
 * provider: its own BoringSSL whenever that loads, else the JDK. No setting or customizer of the server reaches
 * that choice (a {@code NettyServerBuilder} created from credentials refuses {@code sslContext(...)}), but
 * grpc-netty-shaded's own switch does: with {@link #BORINGSSL_OFF} set before its BoringSSL is first loaded,
 * its default provider is the JDK. That switch holds for the whole JVM (grpc-netty-shaded decides once), so
 * {@code jdk} turns it on ({@link #switchOffBoringSsl()}) as the application starts, and {@link #check} makes
 * sure the server then handshakes on the engine the property names, or stops startup saying why.
 */
public final class GrpcServerTlsEngine {

    private static final Log logger = LogFactory.getLog(GrpcServerTlsEngine.class);

    static final String PROPERTY = "spiffe.grpc.server.tls-engine";

    /** Netty's {@code io.netty.handler.ssl.noOpenSsl}, as relocated inside grpc-netty-shaded. */
    public static final String BORINGSSL_OFF = "io.grpc.netty.shaded.io.netty.handler.ssl.noOpenSsl";

    private GrpcServerTlsEngine() {
    }

    /**
     * Switches grpc-netty-shaded's BoringSSL off for this JVM, unless the JVM already says either way. It only
     * takes effect if nothing has used gRPC's TLS yet, which {@link #check} verifies afterwards.
     * @return whether this call set the switch
     */
    public static boolean switchOffBoringSsl() {
        if (System.getProperty(BORINGSSL_OFF) != null) {
            return false;
        }
        System.setProperty(BORINGSSL_OFF, "true");
        return true;
    }

    /**
     * @param boringSsl grpc-netty-shaded's BoringSSL ({@link GrpcBoringSsl#shaded()})
     * @return the engine Boot's gRPC server handshakes with, logged
     * @throws io.github.spiffeboot.engine.TlsEngineUnavailableException for {@code openssl} where that
     * BoringSSL does not load
     * @throws IllegalStateException for {@code jdk} where it loaded all the same (the server would use it)
     */
    public static TlsEngine check(TlsEngine requested, BoringSsl boringSsl) {
        if (requested == TlsEngine.JDK && boringSsl.available()) {
            String switchValue = System.getProperty(BORINGSSL_OFF);
            String why = (switchValue != null && !"true".equalsIgnoreCase(switchValue))
                    ? BORINGSSL_OFF + "=" + switchValue + " is set" : "something in this JVM used gRPC's TLS first";
            throw new IllegalStateException(PROPERTY + "=jdk cannot be honoured: Boot's gRPC server builds its TLS "
                    + "through gRPC's TlsServerCredentials, and grpc-netty-shaded then takes its own BoringSSL ("
                    + boringSsl.version() + ") whenever it has loaded, which it decides once per JVM. Here it was "
                    + "loaded before this application could switch it off (" + why + "). Start the JVM with -D" + BORINGSSL_OFF + "=true, or remove the property (or set it to "
                    + "auto or openssl).");
        }
        return TlsEngines.resolve(requested, PROPERTY, "Boot's gRPC server", boringSsl);
    }

    /**
     * Once, when Boot's gRPC server properties are bound: a server serving TLS is {@link #check checked}; one
     * the application runs without TLS is the application's choice, but never a quiet one, as no SVID can
     * reach it.
     * @param servesTls whether the server has an SSL bundle and TLS is not switched off
     */
    public static void checkServer(boolean servesTls, TlsEngine requested, BoringSsl boringSsl) {
        if (servesTls) {
            check(requested, boringSsl);
            return;
        }
        logger.warn("Boot's gRPC server serves without TLS (the application set spring.grpc.server.ssl.enabled=false "
                + "or no spring.grpc.server.ssl.bundle): its callers cannot present an X509-SVID, so every call is "
                + "refused UNAUTHENTICATED unless JWT-SVIDs alone are accepted (spiffe.jwt.jwt-only), whose tokens "
                + "then travel in clear text");
    }
}
