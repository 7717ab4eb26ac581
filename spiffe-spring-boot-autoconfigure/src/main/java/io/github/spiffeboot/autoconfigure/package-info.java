/**
 * Auto-configuration: binds {@code spiffe.*} properties and wires the source, TLS and server pieces
 * together. The classes here wire; the logic lives in the packages they wire.
 */
package io.github.spiffeboot.autoconfigure;
