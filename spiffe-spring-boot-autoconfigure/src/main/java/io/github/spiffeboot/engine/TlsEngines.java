package io.github.spiffeboot.engine;

import io.netty.handler.ssl.OpenSsl;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Turns a configured {@link TlsEngine} into the one a transport uses, once at startup, and says which it
 * chose: {@code auto} never fails, an explicit {@code openssl} that cannot load does, naming its property.
 */
public final class TlsEngines {

    private static final Log logger = LogFactory.getLog(TlsEngines.class);

    private TlsEngines() {
    }

    /**
     * @param requested the configured engine
     * @param property the property it was configured with, for messages
     * @param transport what will handshake with it, for the log line (for example "the Reactor Netty server")
     * @return {@link TlsEngine#OPENSSL} or {@link TlsEngine#JDK}, never {@link TlsEngine#AUTO}
     * @throws TlsEngineUnavailableException when {@code openssl} was asked for and cannot be loaded
     */
    public static TlsEngine resolve(TlsEngine requested, String property, String transport) {
        boolean available = openSslAvailable();
        return resolve(requested, property, transport, available, available ? null : unavailabilityCause());
    }

    /** As above, for a BoringSSL that is or is not available (tests cover both on one class path). */
    static TlsEngine resolve(TlsEngine requested, String property, String transport, boolean openSslAvailable,
            Throwable unavailabilityCause) {
        TlsEngine resolved = switch (requested) {
            case JDK -> TlsEngine.JDK;
            case OPENSSL -> {
                if (!openSslAvailable) {
                    throw new TlsEngineUnavailableException(property, unavailabilityCause);
                }
                yield TlsEngine.OPENSSL;
            }
            case AUTO -> openSslAvailable ? TlsEngine.OPENSSL : TlsEngine.JDK;
        };
        String setting = property + "=" + requested.name().toLowerCase(java.util.Locale.ROOT);
        if (resolved == TlsEngine.OPENSSL) {
            logger.info(transport + " handshakes with BoringSSL (" + OpenSsl.versionString() + ", " + setting + ")");
        }
        else {
            logger.info(transport + " handshakes with the JDK's TLS (" + setting + ((requested == TlsEngine.AUTO)
                    ? "; BoringSSL unavailable: " + TlsEngineUnavailableException.describe(unavailabilityCause) : "")
                    + ")");
        }
        return resolved;
    }

    private static boolean openSslAvailable() {
        try {
            return OpenSsl.isAvailable();
        }
        catch (LinkageError ex) {
            return false;
        }
    }

    private static Throwable unavailabilityCause() {
        try {
            return OpenSsl.unavailabilityCause();
        }
        catch (LinkageError ex) {
            return ex;
        }
    }
}
