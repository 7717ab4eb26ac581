package io.github.spiffeboot.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.X509Svid;

/**
 * Presents the source's current SVID, in both TLS roles, and, as a server, keeps the sessions it serves
 * from being resumed ({@link ServerSessions}), so the next connection presents the SVID of its own moment.
 * <p>
 * JSSE asks for the alias first and then, in separate calls, for the key and the chain. Each SVID gets
 * an alias of its own, so a rotation between those calls can never pair one SVID's chain with another's
 * key: the handshake finishes with the SVID it chose.
 */
public final class SpiffeKeyManager extends X509ExtendedKeyManager {

    private static final int REMEMBERED_SVIDS = 8;

    private final X509ContextSource source;

    private final Map<String, X509Svid> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, X509Svid> eldest) {
            return size() > REMEMBERED_SVIDS;
        }
    };

    public SpiffeKeyManager(X509ContextSource source) {
        this.source = source;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        ServerSessions.handshaking(socket);
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        ServerSessions.handshaking(engine);
        return aliasFor(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return (alias != null) ? new String[] { alias } : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        X509Svid svid = remembered(alias);
        return (svid != null) ? svid.chainArray() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        X509Svid svid = remembered(alias);
        return (svid != null) ? svid.privateKey() : null;
    }

    /** The alias of the SVID the source holds now. */
    public String currentAlias() {
        return remember(source.current().svid());
    }

    private String aliasFor(String... keyTypes) {
        if (keyTypes == null) {
            return null;
        }
        X509Svid svid = source.current().svid();
        String algorithm = svid.privateKey().getAlgorithm();
        for (String keyType : keyTypes) {
            // TLS 1.2 names some types "EC_EC" or "RSA_EC"; the first part is the key's own algorithm.
            if (keyType != null && (keyType.equals(algorithm) || keyType.startsWith(algorithm + "_"))) {
                return remember(svid);
            }
        }
        return null;
    }

    private String remember(X509Svid svid) {
        X509Certificate leaf = svid.leaf();
        String alias = "svid-" + leaf.getSerialNumber().toString(16) + "-" + Integer.toHexString(leaf.hashCode());
        synchronized (recent) {
            recent.putIfAbsent(alias, svid);
        }
        return alias;
    }

    private X509Svid remembered(String alias) {
        synchronized (recent) {
            return recent.get(alias);
        }
    }
}
