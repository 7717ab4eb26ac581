package io.github.spiffeboot.server;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import org.springframework.boot.web.server.WebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Stops a web server from starting when the starter cannot protect it: an application that adds the
 * starter expects SPIFFE mTLS and its {@code spiffe.authz} rules, and a server the starter does not know
 * (Jetty, say) would otherwise serve quietly without them. Runs first among the customizers, before any
 * server is created.
 * <p>
 * Each protection says which factories it protects: by class name ({@link #byClassName}, so that no server
 * library has to be present for the others to be checked), or by looking at the factory itself (whether the
 * SPIFFE customizer is on it).
 */
public final class ProtectedWebServers implements WebServerFactoryCustomizer<WebServerFactory>, Ordered {

    private final List<Predicate<WebServerFactory>> protections;

    /**
     * @param protections each tells whether the starter protects a web server factory; a factory one of
     * them accepts passes
     */
    public ProtectedWebServers(List<Predicate<WebServerFactory>> protections) {
        this.protections = List.copyOf(protections);
    }

    /** Protects factories of this class (named) or of a subclass. */
    public static Predicate<WebServerFactory> byClassName(String factoryClassName) {
        return factory -> {
            for (Class<?> type = factory.getClass(); type != null; type = type.getSuperclass()) {
                if (type.getName().equals(factoryClassName)) {
                    return true;
                }
            }
            return false;
        };
    }

    @Override
    public void customize(WebServerFactory factory) {
        for (Predicate<WebServerFactory> protection : protections) {
            if (protection.test(factory)) {
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
