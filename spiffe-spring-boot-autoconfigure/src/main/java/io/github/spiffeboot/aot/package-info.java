/**
 * Ahead-of-time processing support: the runtime hints a GraalVM native image of an application with the
 * starter needs.
 */
package io.github.spiffeboot.aot;
