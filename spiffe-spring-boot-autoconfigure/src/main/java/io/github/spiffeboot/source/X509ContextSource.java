package io.github.spiffeboot.source;

import java.util.function.Consumer;

/**
 * Supplies the current {@link X509Context} and tells listeners when it changes. TLS key and trust
 * managers read {@link #current()} on every handshake, which is how rotation reaches them without
 * rebuilding anything.
 * <p>
 * The starter's implementation watches the SPIFFE Workload API; an application can define its own bean
 * of this type instead.
 */
public interface X509ContextSource {

    /** The latest valid context. Never {@code null} once the source has started. */
    X509Context current();

    /** Registers a listener called with each new context, on the source's own thread. */
    void addListener(Consumer<X509Context> listener);
}
