package io.github.spiffeboot.engine;

/**
 * BoringSSL was asked for explicitly and cannot be used: netty-tcnative is missing, or its native library
 * does not load on this platform. The message names the property that asked for it.
 */
public class TlsEngineUnavailableException extends IllegalStateException {

    private final String property;

    public TlsEngineUnavailableException(String property, Throwable cause) {
        this(property, cause, BoringSsl.NETTY_TCNATIVE_REMEDY);
    }

    /** @param remedy what would make this BoringSSL load, as a sentence without its full stop */
    public TlsEngineUnavailableException(String property, Throwable cause, String remedy) {
        super(property + "=openssl, but BoringSSL cannot be loaded (" + describe(cause) + "). " + remedy
                + ", or set " + property + "=auto (BoringSSL when available, else the JDK) or =jdk.", cause);
        this.property = property;
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        if (cause instanceof ClassNotFoundException || cause instanceof NoClassDefFoundError) {
            return "netty-tcnative is not on the class path";
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** The property that asked for BoringSSL, for example {@code spiffe.server.tls-engine}. */
    public String getProperty() {
        return property;
    }
}
