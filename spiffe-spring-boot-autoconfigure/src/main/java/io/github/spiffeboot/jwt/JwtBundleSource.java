package io.github.spiffeboot.jwt;

import java.util.function.Consumer;

/**
 * Supplies the current JWT bundles and tells listeners when they change. Validators read
 * {@link #current()} per token, which is how a key rotation reaches them without rebuilding anything.
 * The starter's implementation watches the Workload API; an application may define its own bean.
 */
public interface JwtBundleSource {

    /**
     * The latest bundles.
     * @throws IllegalStateException before the source has received any
     */
    JwtBundleSet current();

    /** Registers a listener called with each new bundle set, on the source's own thread. */
    void addListener(Consumer<JwtBundleSet> listener);
}
