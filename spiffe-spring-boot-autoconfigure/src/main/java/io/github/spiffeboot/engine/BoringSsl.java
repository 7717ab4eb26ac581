package io.github.spiffeboot.engine;

import io.netty.handler.ssl.OpenSsl;

/**
 * One build of BoringSSL a transport can handshake with, as found at startup. There are two, and they load
 * independently: netty-tcnative's (the Reactor Netty server and {@code WebClient}) and the copy shaded into
 * grpc-netty-shaded (gRPC channels and Boot's gRPC server). Asking one about the other would pick the wrong
 * engine for a transport, so each transport is resolved against its own.
 *
 * @param available whether its classes are present and its native library loaded
 * @param unavailabilityCause why not, when not (may be {@code null})
 * @param version its version, for the log line ({@code null} when unavailable)
 * @param remedy what to do to get it, for the message of an explicit {@code openssl} that cannot load
 */
public record BoringSsl(boolean available, Throwable unavailabilityCause, String version, String remedy) {

    static final String NETTY_TCNATIVE_REMEDY = "Add io.netty:netty-tcnative-boringssl-static with this "
            + "platform's classifier (for example linux-x86_64)";

    /** netty-tcnative's BoringSSL, as unshaded Netty sees it. */
    public static BoringSsl nettyTcnative() {
        try {
            if (OpenSsl.isAvailable()) {
                return new BoringSsl(true, null, OpenSsl.versionString(), NETTY_TCNATIVE_REMEDY);
            }
            return unavailable(OpenSsl.unavailabilityCause(), NETTY_TCNATIVE_REMEDY);
        }
        catch (LinkageError ex) {
            return unavailable(ex, NETTY_TCNATIVE_REMEDY);
        }
    }

    /** A BoringSSL that cannot be used, and why. */
    public static BoringSsl unavailable(Throwable cause, String remedy) {
        return new BoringSsl(false, cause, null, remedy);
    }
}
