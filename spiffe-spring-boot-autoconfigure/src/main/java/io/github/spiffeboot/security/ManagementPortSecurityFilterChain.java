package io.github.spiffeboot.security;

import java.util.List;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The chain for requests on the management port, kept apart from the SPIFFE chain so that probes and
 * scrapers without client certificates reach health and metrics there, and nothing else.
 */
public final class ManagementPortSecurityFilterChain implements SecurityFilterChain {

    private final SecurityFilterChain chain;

    public ManagementPortSecurityFilterChain(SecurityFilterChain chain) {
        this.chain = chain;
    }

    @Override
    public boolean matches(HttpServletRequest request) {
        return chain.matches(request);
    }

    @Override
    public List<Filter> getFilters() {
        return chain.getFilters();
    }
}
