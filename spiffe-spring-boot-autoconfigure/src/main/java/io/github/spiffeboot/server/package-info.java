/**
 * Serving mTLS with the SVID from embedded Tomcat. Tomcat is handed a ready TLS context whose key and
 * trust managers read the live source, so a rotation reaches new handshakes at once and no SSL host
 * reload (which would drop a provided context) is ever needed. {@link io.github.spiffeboot.server.ProtectedWebServers}
 * stops any web server the starter cannot protect from starting.
 */
package io.github.spiffeboot.server;
