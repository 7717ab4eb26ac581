package io.github.spiffeboot.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.github.spiffeboot.test.TestSvid;

/**
 * A client with a fixed certificate (plain JSSE, PKIX server check), to see what a server accepts
 * independently of the application under test.
 */
final class RawTlsClient {

    private RawTlsClient() {
    }

    /** Sends {@code PING} to Redis presenting {@code svid}; the first reply line, or the failure's description. */
    static String redisPing(int port, TestSvid svid, List<X509Certificate> serverAuthorities) {
        try (SSLSocket socket = (SSLSocket) context(svid, serverAuthorities).getSocketFactory()
            .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return readLine(socket.getInputStream());
        }
        catch (IOException | GeneralSecurityException ex) {
            return "failed: " + ex;
        }
    }

    static SSLContext context(TestSvid svid, List<X509Certificate> serverAuthorities) throws GeneralSecurityException,
            IOException {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("svid", svid.privateKey(), password, svid.chainArray());
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < serverAuthorities.size(); i++) {
            trust.setCertificateEntry("ca-" + i, serverAuthorities.get(i));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return (b == -1 && line.length() == 0) ? "failed: connection closed" : line.toString();
    }
}
