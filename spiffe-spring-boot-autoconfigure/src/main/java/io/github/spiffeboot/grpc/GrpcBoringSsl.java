package io.github.spiffeboot.grpc;

import io.github.spiffeboot.engine.BoringSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;

/**
 * The BoringSSL gRPC handshakes with: the copy shaded into grpc-netty-shaded (its own classes and native
 * library, for linux-x86_64, linux-aarch_64, osx and windows-x86_64). It loads independently of
 * netty-tcnative, so gRPC's {@code auto} is decided by this one, not by whether netty-tcnative is present.
 */
public final class GrpcBoringSsl {

    static final String REMEDY = "grpc-netty-shaded carries BoringSSL for linux-x86_64, linux-aarch_64, osx and "
            + "windows-x86_64 only: run on one of those";

    private GrpcBoringSsl() {
    }

    public static BoringSsl shaded() {
        try {
            if (OpenSsl.isAvailable()) {
                return new BoringSsl(true, null, OpenSsl.versionString(), REMEDY);
            }
            return BoringSsl.unavailable(OpenSsl.unavailabilityCause(), REMEDY);
        }
        catch (LinkageError ex) {
            return BoringSsl.unavailable(ex, REMEDY);
        }
    }
}
