package io.github.spiffeboot.engine;

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
        return resolve(requested, property, transport, BoringSsl.nettyTcnative());
    }

    /**
     * As above, against a given build of BoringSSL: gRPC's transports handshake with the copy shaded into
     * grpc-netty-shaded, which loads (or not) independently of netty-tcnative.
     */
    public static TlsEngine resolve(TlsEngine requested, String property, String transport, BoringSsl boringSsl) {
        TlsEngine resolved = switch (requested) {
            case JDK -> TlsEngine.JDK;
            case OPENSSL -> {
                if (!boringSsl.available()) {
                    throw new TlsEngineUnavailableException(property, boringSsl.unavailabilityCause(),
                            boringSsl.remedy());
                }
                yield TlsEngine.OPENSSL;
            }
            case AUTO -> boringSsl.available() ? TlsEngine.OPENSSL : TlsEngine.JDK;
        };
        String setting = property + "=" + requested.name().toLowerCase(java.util.Locale.ROOT);
        if (resolved == TlsEngine.OPENSSL) {
            logger.info(transport + " handshakes with BoringSSL (" + boringSsl.version() + ", " + setting + ")");
        }
        else {
            logger.info(transport + " handshakes with the JDK's TLS (" + setting + ((requested == TlsEngine.AUTO)
                    ? "; BoringSSL unavailable: " + TlsEngineUnavailableException.describe(boringSsl.unavailabilityCause())
                    : "") + ")");
        }
        return resolved;
    }
}
