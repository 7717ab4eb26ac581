package io.github.spiffeboot.reactive;

import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The chain for exchanges on the management port, kept apart from the SPIFFE chain so that probes and
 * scrapers without client certificates reach health and metrics there, and nothing else.
 */
public final class ManagementPortSecurityWebFilterChain implements SecurityWebFilterChain {

    private final SecurityWebFilterChain chain;

    public ManagementPortSecurityWebFilterChain(SecurityWebFilterChain chain) {
        this.chain = chain;
    }

    @Override
    public Mono<Boolean> matches(ServerWebExchange exchange) {
        return chain.matches(exchange);
    }

    @Override
    public Flux<WebFilter> getWebFilters() {
        return chain.getWebFilters();
    }
}
