package io.github.spiffeboot.testapp;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An {@link EchoApplication} started with the given properties on a random port. Any SPIFFE identity may
 * call it unless the properties say otherwise ({@code spiffe.authz.default-policy=authenticated}).
 */
public final class RunningApplication implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private RunningApplication(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static RunningApplication start(String... properties) {
        return new RunningApplication(new SpringApplicationBuilder(EchoApplication.class)
            .properties("server.port=0", "spring.main.banner-mode=off", "spiffe.authz.default-policy=authenticated")
            .properties(properties)
            .run());
    }

    /** The same, as a WebFlux application ({@link ReactiveEchoApplication}) on Reactor Netty. */
    public static RunningApplication startReactive(String... properties) {
        return new RunningApplication(ReactiveEchoApplication.builder().properties(properties).run());
    }

    /** {@code base} followed by {@code more}: a suite's properties with one of a subclass's. */
    public static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}
