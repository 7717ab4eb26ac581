/**
 * What the starter tells operators: the authorization audit log (and, with Micrometer and Actuator,
 * metrics and health).
 */
package io.github.spiffeboot.observability;
