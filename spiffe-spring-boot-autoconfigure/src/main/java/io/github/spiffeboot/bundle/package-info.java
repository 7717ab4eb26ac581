/**
 * The workload's SVID as a Spring Boot {@link org.springframework.boot.ssl.SslBundle}, so that every Boot
 * integration configured with {@code ...ssl.bundle=spiffe} (Kafka, Redis, RabbitMQ, Reactor Netty, ...)
 * presents the current SVID and verifies its peers the SPIFFE way. Depends only on {@code tls},
 * {@code source}, {@code svid} and {@code id}.
 */
package io.github.spiffeboot.bundle;
