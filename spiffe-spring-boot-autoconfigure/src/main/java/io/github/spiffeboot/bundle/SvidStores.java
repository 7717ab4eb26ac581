package io.github.spiffeboot.bundle;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;

import io.github.spiffeboot.source.X509Context;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * The stores half of the {@code spiffe} bundle: a snapshot of one {@link X509Context}, for consumers that
 * read key and trust stores instead of managers. The key store holds the SVID's key and chain under
 * {@link #KEY_ALIAS}; the trust store holds the authorities of this workload's own trust domain only:
 * whoever reads a trust store does plain PKIX, and a flat store of every federated bundle would let a
 * partner's CA vouch for certificates of our trust domain. Built on first use, once per context.
 */
final class SvidStores implements SslStoreBundle {

    /** The alias of the SVID's key entry. */
    static final String KEY_ALIAS = "spiffe";

    /** The in-memory stores have no secret to protect with a password; PKCS12 wants one all the same. */
    static final String PASSWORD = "";

    private final Supplier<X509Context> context;

    private volatile Snapshot snapshot;

    /**
     * @param context the context to hold, read on first use: the registrar registers its first bundle while
     * the application context is being created, before the Workload API source has started
     */
    SvidStores(Supplier<X509Context> context) {
        this.context = context;
    }

    @Override
    public KeyStore getKeyStore() {
        return snapshot().keyStore();
    }

    @Override
    public String getKeyStorePassword() {
        return PASSWORD;
    }

    @Override
    public KeyStore getTrustStore() {
        return snapshot().trustStore();
    }

    private Snapshot snapshot() {
        Snapshot current = this.snapshot;
        if (current == null) {
            synchronized (this) {
                current = this.snapshot;
                if (current == null) {
                    X509Context now;
                    try {
                        now = context.get();
                    }
                    catch (IllegalStateException notStarted) {
                        // Read before the source has started (Boot's SSL metrics bind early): no key and no
                        // trusted authority, which fails closed; not kept, so the next read after the start
                        // sees the SVID (and the registrar registers a fresh bundle when the first one comes).
                        return empty();
                    }
                    current = build(now);
                    this.snapshot = current;
                }
            }
        }
        return current;
    }

    private static Snapshot build(X509Context context) {
        try {
            KeyStore keyStore = emptyStore();
            keyStore.setKeyEntry(KEY_ALIAS, context.svid().privateKey(), PASSWORD.toCharArray(),
                    context.svid().chainArray());
            KeyStore trustStore = emptyStore();
            List<X509Certificate> authorities = context.bundles()
                .forTrustDomain(context.svid().id().trustDomain())
                .orElse(List.of());
            for (int i = 0; i < authorities.size(); i++) {
                trustStore.setCertificateEntry("authority-" + i, authorities.get(i));
            }
            return new Snapshot(keyStore, trustStore);
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("cannot build key and trust stores from the current SVID", ex);
        }
    }

    private static Snapshot empty() {
        try {
            return new Snapshot(emptyStore(), emptyStore());
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("cannot create empty key and trust stores", ex);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private record Snapshot(KeyStore keyStore, KeyStore trustStore) {
    }
}
