package io.github.spiffeboot.bundle;

import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.X509ExtendedTrustManager;

import io.github.spiffeboot.source.X509Context;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslManagerBundle;

/**
 * Registers the workload's identity as an {@link SpiffeSslBundle} under one name, and registers a new one
 * ({@link SslBundleRegistry#updateBundle}) on every SVID rotation and bundle change, so that consumers that
 * watch bundle updates pick up the new stores. Every bundle it registers shares the same live managers.
 */
public final class SpiffeSslBundleRegistrar implements SslBundleRegistrar {

    private static final Log logger = LogFactory.getLog(SpiffeSslBundleRegistrar.class);

    private final String name;

    private final X509ContextSource source;

    private final SslManagerBundle managers;

    /** Usually one; more if several application contexts share this registrar. */
    private final List<SslBundleRegistry> registries = new ArrayList<>();

    /**
     * @param name the bundle's name, as in {@code spring.kafka.ssl.bundle}
     * @param trustManager how peers are verified; see {@link BundleTrustManagers#create}
     */
    public SpiffeSslBundleRegistrar(String name, X509ContextSource source, SpiffeKeyManager keyManager,
            X509ExtendedTrustManager trustManager) {
        this.name = name;
        this.source = source;
        this.managers = new SpiffeSslManagers(keyManager, trustManager);
    }

    public String bundleName() {
        return name;
    }

    @Override
    public synchronized void registerBundles(SslBundleRegistry registry) {
        // Listen first, register under the lock: an update racing the registration either waits for it
        // and updates, or is already in the context registered.
        if (registries.isEmpty()) {
            source.addListener(this::update);
        }
        registry.registerBundle(name, new SpiffeSslBundle(managers, source));
        if (registry instanceof SslBundles bundles) {
            // Boot warns on every update of a bundle nobody handles updates of, "may be in use by a
            // technology that doesn't support SSL reloading": wrong for the consumers of the live managers
            // (Kafka, Lettuce), and it would repeat on every rotation. The halves are documented instead.
            bundles.addBundleUpdateHandler(name, updated -> logger.debug("SSL bundle '" + name + "' now holds "
                    + updated));
        }
        registries.add(registry);
    }

    private synchronized void update(X509Context context) {
        SpiffeSslBundle bundle = new SpiffeSslBundle(managers, context);
        for (SslBundleRegistry registry : registries) {
            try {
                registry.updateBundle(name, bundle);
            }
            catch (RuntimeException ex) {
                // A consumer's update handler failed; the managers serve the new SVID all the same.
                logger.error("Updating SSL bundle '" + name + "' after an SVID or bundle change failed", ex);
            }
        }
    }
}
