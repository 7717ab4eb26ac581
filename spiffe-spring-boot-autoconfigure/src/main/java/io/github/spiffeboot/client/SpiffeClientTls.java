package io.github.spiffeboot.client;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * and verifying the server's SVID against the bundle of its trust domain, then its ID against the
 * {@link PeerAuthorizer}. Host names are not checked (SVIDs carry none); the SPIFFE ID check replaces
 * that check rather than merely switching it off.
 */
public final class SpiffeClientTls {

    private final X509ContextSource source;

    private final SpiffeKeyManager keyManager;

    private final Duration connectTimeout;

    private final Duration readTimeout;

    private final Map<String, SSLContext> contexts = new ConcurrentHashMap<>();

    private final Map<String, HttpClient> httpClients = new ConcurrentHashMap<>();

    public SpiffeClientTls(X509ContextSource source, SpiffeKeyManager keyManager, Duration connectTimeout,
            Duration readTimeout) {
        this.source = source;
        this.keyManager = keyManager;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** A TLS context accepting servers that {@code expectedServer} accepts. */
    public SSLContext sslContext(PeerAuthorizer expectedServer) {
        return contexts.computeIfAbsent(expectedServer.toString(),
                key -> SpiffeSslContexts.createClient(keyManager, new SpiffeTrustManager(source, expectedServer)));
    }

    /**
     * A JDK {@link HttpClient} with that TLS context (HTTP/1.1 and 2, connections pooled), shared by all
     * clients with the same expectation.
     */
    public HttpClient httpClient(PeerAuthorizer expectedServer) {
        return httpClients.computeIfAbsent(expectedServer.toString(), key -> {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
            return HttpClient.newBuilder()
                .sslContext(sslContext(expectedServer))
                .sslParameters(parameters)
                .connectTimeout(connectTimeout)
                .build();
        });
    }

    /** A request factory for {@code RestClient} and {@code RestTemplate}. */
    public ClientHttpRequestFactory requestFactory(PeerAuthorizer expectedServer) {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(httpClient(expectedServer));
        factory.setReadTimeout(readTimeout);
        return factory;
    }
}
