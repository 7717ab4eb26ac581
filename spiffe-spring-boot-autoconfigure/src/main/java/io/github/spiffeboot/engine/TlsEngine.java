package io.github.spiffeboot.engine;

/** The TLS implementation a Netty-based transport handshakes with. */
public enum TlsEngine {

    /** BoringSSL when netty-tcnative is on the class path and its native library loads, else the JDK. */
    AUTO,

    /** BoringSSL (netty-tcnative); startup fails when it cannot be loaded. */
    OPENSSL,

    /** The JDK's own TLS (JSSE). */
    JDK
}
