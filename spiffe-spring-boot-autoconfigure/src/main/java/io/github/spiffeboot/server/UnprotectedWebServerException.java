package io.github.spiffeboot.server;

/**
 * The application runs on a web server the starter cannot serve SPIFFE mTLS on (or cannot enforce
 * {@code spiffe.authz} on): starting would serve without either, so startup stops instead.
 */
public class UnprotectedWebServerException extends RuntimeException {

    private final String serverType;

    /**
     * @param serverType the web server, in words and by its factory class, for example
     * {@code Jetty (org.springframework.boot.jetty.servlet.JettyServletWebServerFactory)}
     */
    public UnprotectedWebServerException(String serverType) {
        super("The SPIFFE starter cannot serve mTLS on this web server: " + serverType
                + "; set spiffe.server.enabled=false to serve without SPIFFE mTLS");
        this.serverType = serverType;
    }

    public String getServerType() {
        return serverType;
    }
}
