package io.github.spiffeboot.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLSocket;

/**
 * One TLS connection carrying HTTP/1.1 requests one after another (keep-alive), so a test can tell a
 * new connection from an old one: which certificate the server presented in this handshake, and whether
 * a connection opened before a rotation still works after it.
 */
public final class TestHttpConnection implements AutoCloseable {

    private final SSLSocket socket;

    private final String host;

    private final InputStream in;

    private final OutputStream out;

    /** Headers sent with every request (a bearer token, say); a request's own headers win. */
    private final Map<String, String> defaultHeaders;

    TestHttpConnection(SSLSocket socket, String host, Map<String, String> defaultHeaders) throws IOException {
        this.socket = socket;
        this.host = host;
        this.defaultHeaders = Map.copyOf(defaultHeaders);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** The server's leaf certificate from this connection's handshake. */
    public X509Certificate serverCertificate() {
        try {
            Certificate[] chain = socket.getSession().getPeerCertificates();
            return (X509Certificate) chain[0];
        }
        catch (javax.net.ssl.SSLPeerUnverifiedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The negotiated TLS version, such as {@code TLSv1.3}. */
    public String protocol() {
        return socket.getSession().getProtocol();
    }

    public TestHttpResponse get(String path) throws IOException {
        return request("GET", path, null, Map.of());
    }

    public TestHttpResponse post(String path, String jsonBody) throws IOException {
        return request("POST", path, jsonBody, Map.of("Content-Type", "application/json"));
    }

    /** Sends a request exactly as given (the path is not normalised) and reads the response. */
    public TestHttpResponse request(String method, String path, String body, Map<String, String> headers)
            throws IOException {
        byte[] content = (body != null) ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
        StringBuilder request = new StringBuilder();
        request.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        request.append("Host: ").append(host).append("\r\n");
        defaultHeaders.forEach((name, value) -> {
            if (headers.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
                request.append(name).append(": ").append(value).append("\r\n");
            }
        });
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        if (body != null || "POST".equals(method) || "PUT".equals(method)) {
            request.append("Content-Length: ").append(content.length).append("\r\n");
        }
        request.append("\r\n");
        out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(content);
        out.flush();
        return readResponse();
    }

    private TestHttpResponse readResponse() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("the server closed the connection without a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), key -> new ArrayList<>())
                .add(line.substring(colon + 1).trim());
        }
        byte[] body;
        List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
        List<String> length = headers.getOrDefault("content-length", List.of());
        if (encoding.stream().anyMatch(value -> value.equalsIgnoreCase("chunked"))) {
            body = readChunked();
        }
        else if (!length.isEmpty()) {
            body = in.readNBytes(Integer.parseInt(length.get(0)));
        }
        else {
            body = new byte[0];
        }
        return new TestHttpResponse(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                    // trailers are not used by the tests
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
