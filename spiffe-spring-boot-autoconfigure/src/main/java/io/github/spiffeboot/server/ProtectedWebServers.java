package io.github.spiffeboot.server;

import java.util.List;
import java.util.Locale;

import org.springframework.boot.web.server.WebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Stops a web server from starting when the starter cannot protect it: an application that adds the
 * starter expects SPIFFE mTLS and its {@code spiffe.authz} rules, and a server the starter does not know
 * (Jetty, say) would otherwise serve quietly without them. Runs first among the customizers, before any
 * server is created.
 * <p>
 * Web server factories are recognised by class name, so that no server library has to be present for the
 * others to be checked.
 */
public final class ProtectedWebServers implements WebServerFactoryCustomizer<WebServerFactory>, Ordered {

    private final List<String> protectedFactories;

    /**
     * @param protectedFactories class names of the web server factories the starter protects; a factory
     * of one of these classes or of a subclass passes
     */
    public ProtectedWebServers(List<String> protectedFactories) {
        this.protectedFactories = List.copyOf(protectedFactories);
    }

    @Override
    public void customize(WebServerFactory factory) {
        for (Class<?> type = factory.getClass(); type != null; type = type.getSuperclass()) {
            if (protectedFactories.contains(type.getName())) {
                return;
            }
        }
        throw new UnprotectedWebServerException(describe(factory.getClass()));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    /** The server in words ("Jetty, servlet"), then the factory class that names it exactly. */
    static String describe(Class<?> factory) {
        String name = factory.getName().toLowerCase(Locale.ROOT);
        String server = name.contains("jetty") ? "Jetty" : name.contains("netty") ? "Reactor Netty"
                : name.contains("tomcat") ? "Tomcat" : name.contains("undertow") ? "Undertow" : "a web server";
        String stack = isA(factory, "org.springframework.boot.web.server.reactive.ReactiveWebServerFactory")
                ? "reactive (WebFlux)" : isA(factory, "org.springframework.boot.web.server.servlet.ServletWebServerFactory")
                        ? "servlet" : "unknown stack";
        return server + ", " + stack + " (" + factory.getName() + ")";
    }

    private static boolean isA(Class<?> type, String interfaceName) {
        for (Class<?> current = type; current != null; current = current.getSuperclass()) {
            for (Class<?> implemented : current.getInterfaces()) {
                if (implemented.getName().equals(interfaceName) || isA(implemented, interfaceName)) {
                    return true;
                }
            }
        }
        return false;
    }
}
