package io.github.spiffeboot.aot;

import java.util.List;

import com.google.protobuf.Message;
import io.github.spiffeboot.autoconfigure.SpiffeJwtProperties;
import io.github.spiffeboot.autoconfigure.SpiffeProperties;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.spiffe.workloadapi.grpc.Workload;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * What a GraalVM native image of an application with the starter needs to keep that static analysis
 * cannot see: everything the starter or its libraries reach by reflection or load as a resource. Listed in
 * {@code META-INF/spring/aot.factories}, so Spring AOT applies it whether or not the starter is enabled.
 */
public final class SpiffeRuntimeHints implements RuntimeHintsRegistrar {

    /**
     * The epoll transport's native library inside grpc-netty-shaded. Netty's own resource hint names the
     * unshaded file ({@code libnetty_transport_native_epoll_*}), which the shaded jar does not contain.
     */
    static final String EPOLL_LIBRARY = "META-INF/native/libio_grpc_netty_shaded_netty_transport_native_epoll_*.so";

    /**
     * gRPC's providers, found with {@code ServiceLoader} or, where that is unavailable, with
     * {@code Class.forName} on these names: the channel needs a load balancer (pick-first) and name resolvers.
     */
    static final List<String> GRPC_PROVIDERS = List.of("io.grpc.internal.PickFirstLoadBalancerProvider",
            "io.grpc.util.SecretRoundRobinLoadBalancerProvider$Provider", "io.grpc.internal.DnsNameResolverProvider",
            "io.grpc.netty.shaded.io.grpc.netty.UdsNameResolverProvider",
            "io.grpc.netty.shaded.io.grpc.netty.NettyChannelProvider",
            "io.grpc.netty.shaded.io.grpc.netty.UdsNettyChannelProvider");

    /** What SpEL expressions reach: the {@code @spiffe} bean and the authentication. */
    static final List<String> SECURITY_EXPRESSION_TYPES = List.of("io.github.spiffeboot.security.SpiffeExpressions",
            "io.github.spiffeboot.security.ReactiveSpiffeExpressions", "io.github.spiffeboot.security.SpiffeAuthentication");

    /** The starter's entries in {@code META-INF/spring.factories}: Spring Boot instantiates them reflectively. */
    static final List<String> SPRING_FACTORIES = List.of(
            "io.github.spiffeboot.autoconfigure.SpiffeFailureAnalyzers$WorkloadApiStartup",
            "io.github.spiffeboot.autoconfigure.SpiffeFailureAnalyzers$SocketNotConfigured",
            "io.github.spiffeboot.autoconfigure.SpiffeFailureAnalyzers$UnprotectedWebServer",
            "io.github.spiffeboot.autoconfigure.SpiffeDefaultProperties",
            "io.github.spiffeboot.autoconfigure.SpiffeGrpcServerEngineSwitch");

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        registerConfigurationProperties(hints);
        registerWorkloadApiMessages(hints);
        registerGrpcTransport(hints, classLoader);
        registerSecurityExpressions(hints, classLoader);
        for (String factory : SPRING_FACTORIES) {
            hints.reflection().registerTypeIfPresent(classLoader, factory, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
        }
    }

    /**
     * {@code spiffe.*} is bound to {@link SpiffeProperties}, and {@code spiffe.jwt.*} to
     * {@link SpiffeJwtProperties}, through their getters and setters.
     */
    private static void registerConfigurationProperties(RuntimeHints hints) {
        BindableRuntimeHintsRegistrar.forTypes(SpiffeProperties.class, SpiffeJwtProperties.class).registerHints(hints);
    }

    /**
     * The Workload API's protobuf messages and their builders (java-spiffe's generated classes): the
     * protobuf runtime finds their accessors by name, reflectively, for the descriptor-based operations.
     * Every message is kept, not only the X.509 ones, so that JWT-SVID and bundle calls work as well.
     */
    private static void registerWorkloadApiMessages(RuntimeHints hints) {
        for (Class<?> nested : Workload.class.getDeclaredClasses()) {
            if (Message.class.isAssignableFrom(nested)) {
                hints.reflection().registerType(nested, MemberCategory.INVOKE_PUBLIC_METHODS,
                        MemberCategory.ACCESS_DECLARED_FIELDS);
            }
            for (Class<?> builder : nested.getDeclaredClasses()) {
                if (Message.Builder.class.isAssignableFrom(builder)) {
                    hints.reflection().registerType(builder, MemberCategory.INVOKE_PUBLIC_METHODS,
                            MemberCategory.ACCESS_DECLARED_FIELDS);
                }
            }
        }
    }

    private static void registerGrpcTransport(RuntimeHints hints, ClassLoader classLoader) {
        if (ClassUtils.isPresent("io.grpc.netty.shaded.io.netty.channel.epoll.Epoll", classLoader)) {
            hints.resources().registerPattern(EPOLL_LIBRARY);
        }
        for (String provider : GRPC_PROVIDERS) {
            hints.reflection().registerTypeIfPresent(classLoader, provider, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
        }
        hints.resources().registerPattern("META-INF/services/io.grpc.*");
    }

    /**
     * SpEL calls the {@code @spiffe} bean's methods ({@code @PreAuthorize}, {@code @AllowedCallers}) and reads
     * the principal ({@code authentication.principal.trustDomain}) reflectively.
     */
    private static void registerSecurityExpressions(RuntimeHints hints, ClassLoader classLoader) {
        hints.reflection().registerType(SpiffeId.class, MemberCategory.INVOKE_PUBLIC_METHODS);
        hints.reflection().registerType(TrustDomain.class, MemberCategory.INVOKE_PUBLIC_METHODS);
        // By name: Spring Security is optional, and these classes cannot load without it.
        for (String type : SECURITY_EXPRESSION_TYPES) {
            hints.reflection().registerTypeIfPresent(classLoader, type, MemberCategory.INVOKE_PUBLIC_METHODS);
        }
    }
}
