package io.github.spiffeboot.bundle;

import java.security.KeyStore;
import java.security.Provider;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.springframework.boot.ssl.SslManagerBundle;

/**
 * The managers half of the {@code spiffe} bundle: the live SPIFFE key and trust managers, the same
 * instances in every bundle the registry ever holds, so a consumer that built its TLS context from an
 * earlier bundle presents the current SVID and verifies with the current bundles all the same. The
 * factories are fixed: {@code init} is ignored, the managers read the source at each handshake.
 */
final class SpiffeSslManagers implements SslManagerBundle {

    private static final Provider PROVIDER = new Provider("SPIFFE", "1.0", "SPIFFE SVID managers") {
    };

    private final KeyManagerFactory keyManagerFactory;

    private final TrustManagerFactory trustManagerFactory;

    SpiffeSslManagers(X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager) {
        this.keyManagerFactory = new FixedKeyManagerFactory(keyManager);
        this.trustManagerFactory = new FixedTrustManagerFactory(trustManager);
    }

    @Override
    public KeyManagerFactory getKeyManagerFactory() {
        return keyManagerFactory;
    }

    @Override
    public TrustManagerFactory getTrustManagerFactory() {
        return trustManagerFactory;
    }

    private static final class FixedKeyManagerFactory extends KeyManagerFactory {

        FixedKeyManagerFactory(KeyManager keyManager) {
            super(new KeyManagerFactorySpi() {
                @Override
                protected void engineInit(KeyStore keyStore, char[] password) {
                }

                @Override
                protected void engineInit(ManagerFactoryParameters parameters) {
                }

                @Override
                protected KeyManager[] engineGetKeyManagers() {
                    return new KeyManager[] { keyManager };
                }
            }, PROVIDER, "SPIFFE");
        }
    }

    private static final class FixedTrustManagerFactory extends TrustManagerFactory {

        FixedTrustManagerFactory(TrustManager trustManager) {
            super(new TrustManagerFactorySpi() {
                @Override
                protected void engineInit(KeyStore keyStore) {
                }

                @Override
                protected void engineInit(ManagerFactoryParameters parameters) {
                }

                @Override
                protected TrustManager[] engineGetTrustManagers() {
                    return new TrustManager[] { trustManager };
                }
            }, PROVIDER, "SPIFFE");
        }
    }
}
