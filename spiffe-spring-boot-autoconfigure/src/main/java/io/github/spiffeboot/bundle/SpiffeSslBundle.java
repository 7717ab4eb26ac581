package io.github.spiffeboot.bundle;

import java.util.function.Supplier;

import io.github.spiffeboot.source.X509Context;
import io.github.spiffeboot.source.X509ContextSource;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * The workload's identity as a Boot {@link SslBundle}. Two halves, and a consumer reads one of them:
 * <ul>
 * <li>{@link #getManagers()}: the live SPIFFE key and trust managers. Whoever builds a TLS context or engine
 * from them (Kafka through {@code createSslContext()}, Lettuce, Reactor Netty) presents the SVID of the
 * moment on each new connection and verifies its peer the SPIFFE way, with no reload.</li>
 * <li>{@link #getStores()}: a snapshot of the SVID and the own trust domain's bundle when this bundle was
 * made. The registrar registers a new bundle on every rotation and bundle change, so only a consumer that
 * watches bundle updates follows it.</li>
 * </ul>
 */
public final class SpiffeSslBundle implements SslBundle {

    private final SslManagerBundle managers;

    private final SslStoreBundle stores;

    private final Supplier<X509Context> context;

    /** A snapshot of {@code context}, registered on a rotation or bundle change. */
    SpiffeSslBundle(SslManagerBundle managers, X509Context context) {
        this(managers, () -> context);
    }

    /**
     * The first bundle, registered while the application context is created and before the source has
     * started: its stores are taken from the source when first read (empty, so trusting nobody and
     * presenting nothing, if read before the start).
     */
    SpiffeSslBundle(SslManagerBundle managers, X509ContextSource source) {
        this(managers, (Supplier<X509Context>) source::current);
    }

    private SpiffeSslBundle(SslManagerBundle managers, Supplier<X509Context> context) {
        this.managers = managers;
        this.context = context;
        this.stores = new SvidStores(context);
    }

    @Override
    public SslStoreBundle getStores() {
        return stores;
    }

    @Override
    public SslBundleKey getKey() {
        return SslBundleKey.of(SvidStores.PASSWORD, SvidStores.KEY_ALIAS);
    }

    /** None: each consumer's default TLS versions and cipher suites (TLS 1.3 and 1.2 on current JDKs). */
    @Override
    public SslOptions getOptions() {
        return SslOptions.NONE;
    }

    @Override
    public String getProtocol() {
        return DEFAULT_PROTOCOL;
    }

    @Override
    public SslManagerBundle getManagers() {
        return managers;
    }

    /**
     * The X.509 context whose SVID and bundles the stores hold.
     *
     * @throws IllegalStateException for the first bundle, if the source has not started yet
     */
    public X509Context context() {
        return context.get();
    }

    @Override
    public String toString() {
        try {
            return "SpiffeSslBundle[" + context.get().svid() + "]";
        }
        catch (IllegalStateException notStarted) {
            return "SpiffeSslBundle[before the first SVID]";
        }
    }
}
