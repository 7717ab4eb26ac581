package io.github.spiffeboot.client;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.tls.PeerAuthorizer;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeSslContexts;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;

/**
 * TLS for outgoing calls: an {@link SSLContext} per expected-server policy, presenting the current SVID
 * (unless a client speaks with a JWT-SVID only) and verifying the server's SVID against the bundle of its trust domain, then its ID against the
 * {@link PeerAuthorizer}. Host names are not checked (SVIDs carry none); the SPIFFE ID check replaces
 * that check rather than merely switching it off. No connection resumes a TLS session.
 * <p>
 * Contexts and HTTP clients are shared by equal authorizers (see {@link PeerAuthorizer}), so a
 * {@code RestClient} built per request from {@code SpiffeRestClients.expecting(...)} reuses one client and
 * its pooled connections. Only the {@value #CACHED_EXPECTATIONS} most recently used expectations are
 * kept: clients built for one-off authorizers (lambdas built per call) are left to the garbage collector,
 * together with their selector threads, rather than piling up.
 */
public final class SpiffeClientTls {

    /** How many distinct expectations keep their TLS context and HTTP client for reuse. */
    static final int CACHED_EXPECTATIONS = 32;

    private final X509ContextSource source;

    private final SpiffeKeyManager keyManager;

    private final Duration connectTimeout;

    private final Duration readTimeout;

    private final Map<Expectation, SSLContext> contexts = leastRecentlyUsed(CACHED_EXPECTATIONS);

    private final Map<Expectation, HttpClient> httpClients = leastRecentlyUsed(CACHED_EXPECTATIONS);

    /** What a client expects of the server, and whether it presents our SVID. */
    private record Expectation(PeerAuthorizer server, boolean presentsSvid) {
    }

    public SpiffeClientTls(X509ContextSource source, SpiffeKeyManager keyManager, Duration connectTimeout,
            Duration readTimeout) {
        this.source = source;
        this.keyManager = keyManager;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /**
     * A TLS context accepting servers that {@code expectedServer} accepts. It serves {@code SSLEngine}
     * based clients; its socket factories are refused (see {@link SpiffeSslContexts#createClient}).
     */
    public SSLContext sslContext(PeerAuthorizer expectedServer) {
        return sslContext(new Expectation(expectedServer, true));
    }

    private SSLContext sslContext(Expectation expectation) {
        return contexts.computeIfAbsent(expectation, key -> SpiffeSslContexts.createClient(
                key.presentsSvid() ? keyManager : null, new SpiffeTrustManager(source, key.server())));
    }

    /**
     * A JDK {@link HttpClient} with that TLS context (HTTP/1.1 and 2, connections pooled), shared by all
     * clients with an equal expectation.
     */
    public HttpClient httpClient(PeerAuthorizer expectedServer) {
        return httpClient(new Expectation(expectedServer, true));
    }

    private HttpClient httpClient(Expectation expectation) {
        return httpClients.computeIfAbsent(expectation, key -> {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
            return HttpClient.newBuilder()
                .sslContext(sslContext(key))
                .sslParameters(parameters)
                .connectTimeout(connectTimeout)
                .build();
        });
    }

    /** A request factory for {@code RestClient} and {@code RestTemplate}. */
    public ClientHttpRequestFactory requestFactory(PeerAuthorizer expectedServer) {
        return requestFactory(expectedServer, true);
    }

    /**
     * A request factory for {@code RestClient} and {@code RestTemplate}.
     * @param presentSvid whether to present our X.509-SVID; without it, the server still has to present an
     * SVID that {@code expectedServer} accepts, but learns who calls only from a JWT-SVID (if one is sent)
     */
    public ClientHttpRequestFactory requestFactory(PeerAuthorizer expectedServer, boolean presentSvid) {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(
                httpClient(new Expectation(expectedServer, presentSvid)));
        factory.setReadTimeout(readTimeout);
        return factory;
    }

    /** Evicted entries stay usable by whoever holds them; the map only stops keeping them alive. */
    private static <K, V> Map<K, V> leastRecentlyUsed(int capacity) {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        });
    }
}
