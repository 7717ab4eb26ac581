package io.github.spiffeboot.jwt;

import java.util.Set;

/** Asks for a new JWT-SVID; {@link JwtSvids} caches what it hands out. */
@FunctionalInterface
public interface JwtSvidFetcher {

    /**
     * A new JWT-SVID of this workload for these audiences.
     * @throws JwtSvidUnavailableException if none can be had now
     */
    JwtSvid fetch(Set<String> audiences);
}
