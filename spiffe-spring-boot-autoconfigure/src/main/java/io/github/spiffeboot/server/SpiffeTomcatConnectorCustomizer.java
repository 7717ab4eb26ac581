package io.github.spiffeboot.server;

import java.util.List;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

import io.github.spiffeboot.tls.PeerRejectionListener;
import io.github.spiffeboot.tls.SpiffeKeyManager;
import io.github.spiffeboot.tls.SpiffeSslContexts;
import io.github.spiffeboot.tls.SpiffeTrustManager;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;

/**
 * Turns a Tomcat HTTP connector into an mTLS connector that serves the current SVID and verifies client
 * SVIDs with the SPIFFE trust manager.
 */
public final class SpiffeTomcatConnectorCustomizer implements TomcatConnectorCustomizer {

    private final SpiffeKeyManager keyManager;

    private final SpiffeTrustManager trustManager;

    private final ClientAuth clientAuth;

    private final List<String> protocols;

    private final PeerRejectionListener rejectionListener;

    /**
     * @param protocols the TLS versions to enable, for example {@code TLSv1.3}
     * @param rejectionListener told of clients refused for sending no certificate (the trust manager
     * reports the others)
     */
    public SpiffeTomcatConnectorCustomizer(SpiffeKeyManager keyManager, SpiffeTrustManager trustManager,
            ClientAuth clientAuth, List<String> protocols, PeerRejectionListener rejectionListener) {
        this.keyManager = keyManager;
        this.trustManager = trustManager;
        this.clientAuth = clientAuth;
        this.protocols = List.copyOf(protocols);
        this.rejectionListener = rejectionListener;
    }

    @Override
    public void customize(Connector connector) {
        ProtocolHandler handler = connector.getProtocolHandler();
        if (!(handler instanceof AbstractHttp11Protocol<?> protocol)) {
            throw new IllegalStateException("SPIFFE mTLS needs an HTTP/1.1 Tomcat connector, found "
                    + handler.getClass().getName() + "; set spiffe.server.enabled=false to configure TLS yourself");
        }
        SSLHostConfig hostConfig = new SSLHostConfig();
        hostConfig.setHostName(protocol.getDefaultSSLHostConfigName());
        hostConfig.setProtocols(String.join("+", protocols));
        hostConfig.setCertificateVerification((clientAuth == ClientAuth.NEED) ? "required" : "optional");
        SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(hostConfig,
                SSLHostConfigCertificate.Type.UNDEFINED);
        certificate.setSslContext(new TomcatSslContextAdapter(SpiffeSslContexts.create(keyManager, trustManager),
                keyManager, trustManager, rejectionListener));
        hostConfig.addCertificate(certificate);
        protocol.addSslHostConfig(hostConfig, true);
        protocol.setSSLEnabled(true);
        connector.setScheme("https");
        connector.setSecure(true);
    }
}
