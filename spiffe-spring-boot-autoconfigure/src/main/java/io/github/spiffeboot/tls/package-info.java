/**
 * How SVIDs reach JSSE: a key manager that presents the current SVID and a trust manager that
 * verifies peers the SPIFFE way, both reading the live {@link io.github.spiffeboot.source.X509ContextSource}
 * on every handshake so that rotation needs no reload. Server and client wiring build on these.
 */
package io.github.spiffeboot.tls;
