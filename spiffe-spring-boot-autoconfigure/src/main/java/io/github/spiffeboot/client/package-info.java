/**
 * How SVIDs reach HTTP clients: {@code RestClient}, {@code RestTemplate} and {@code WebClient} present
 * the current SVID and accept a server by its SPIFFE ID (not its host name), with the same live key and
 * trust managers as the server, so rotation reaches new connections without rebuilding any client.
 */
package io.github.spiffeboot.client;
