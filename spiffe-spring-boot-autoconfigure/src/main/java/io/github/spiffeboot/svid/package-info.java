/**
 * X.509-SVIDs and trust bundles, and the SPIFFE rules that decide whether a certificate chain proves a
 * SPIFFE ID: the X509-SVID leaf profile and path validation against the bundle of the ID's own trust
 * domain. Plain Java, no Spring.
 */
package io.github.spiffeboot.svid;
