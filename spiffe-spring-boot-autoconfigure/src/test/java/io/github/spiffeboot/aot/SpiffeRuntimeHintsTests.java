package io.github.spiffeboot.aot;

import java.lang.reflect.Method;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import io.github.spiffeboot.autoconfigure.SpiffeJwtProperties;
import io.github.spiffeboot.autoconfigure.SpiffeProperties;
import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.security.SpiffeAuthentication;
import io.github.spiffeboot.security.SpiffeExpressions;
import io.spiffe.workloadapi.grpc.Workload;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.util.StringUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** The runtime hints a native image needs, checked the way Spring AOT would apply them. */
class SpiffeRuntimeHintsTests {

    private final ClassLoader classLoader = getClass().getClassLoader();

    private final RuntimeHints hints = registered();

    private RuntimeHints registered() {
        RuntimeHints registered = new RuntimeHints();
        new SpiffeRuntimeHints().registerHints(registered, classLoader);
        return registered;
    }

    @Test
    void springAotFindsTheRegistrar() {
        assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
            .load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(SpiffeRuntimeHints.class);
    }

    @Test
    void spiffePropertiesCanBeBound() {
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeProperties.class, "getWorkloadApi"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeProperties.WorkloadApi.class, "setSocket"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethodInvocation(SpiffeProperties.WorkloadApi.class, "setStartupTimeout")).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeProperties.CallerRule.class, "setIds"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeProperties.ServerEndpoint.class, "setUrl"))
            .accepts(hints);
    }

    @Test
    void spiffeJwtPropertiesCanBeBound() {
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeJwtProperties.class, "setTrustedProxies"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeJwtProperties.class, "setAudiences"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeJwtProperties.class, "setJwtOnly"))
            .accepts(hints);
    }

    @Test
    void workloadApiMessagesAndBuildersKeepTheirAccessors() throws Exception {
        for (Class<?> type : List.of(Workload.X509SVIDRequest.class, Workload.X509SVIDResponse.class,
                Workload.X509SVIDResponse.Builder.class, Workload.X509SVID.class, Workload.X509SVID.Builder.class,
                Workload.X509BundlesResponse.class, Workload.JWTSVIDResponse.class, Workload.JWTBundlesResponse.class)) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type).withMemberCategory(MemberCategory.INVOKE_PUBLIC_METHODS))
                .as(type.getName())
                .accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Workload.X509SVIDResponse.class, "getSvidsList"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Workload.X509SVIDRequest.class.getMethod("newBuilder")))
            .accepts(hints);
    }

    @Test
    void theShadedEpollLibraryIsIncludedAsAResource() {
        String library = "META-INF/native/libio_grpc_netty_shaded_netty_transport_native_epoll_x86_64.so";
        // The pattern must name a file that really is in grpc-netty-shaded, not Netty's unshaded name.
        assertThat(classLoader.getResource(library)).isNotNull();
        assertThat(RuntimeHintsPredicates.resource().forResource(library)).accepts(hints);
    }

    @Test
    void grpcProvidersCanBeInstantiated() throws Exception {
        for (String provider : List.of("io.grpc.internal.PickFirstLoadBalancerProvider",
                "io.grpc.internal.DnsNameResolverProvider", "io.grpc.netty.shaded.io.grpc.netty.UdsNameResolverProvider")) {
            assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(Class.forName(provider).getConstructor()))
                .as(provider)
                .accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/services/io.grpc.LoadBalancerProvider"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/services/io.grpc.NameResolverProvider"))
            .accepts(hints);
    }

    @Test
    void securityExpressionsCanCallTheSpiffeBeanAndReadThePrincipal() {
        for (String method : List.of("isCaller", "callerMatches", "isFromTrustDomain")) {
            // The public form SpEL calls (package-private overloads serve the reactive variant directly).
            Method expression = java.util.Arrays.stream(SpiffeExpressions.class.getMethods())
                .filter(candidate -> candidate.getName().equals(method))
                .findFirst()
                .orElseThrow();
            assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(expression))
                .as(method)
                .accepts(hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeId.class, "trustDomain")).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SpiffeAuthentication.class, "getPrincipal"))
            .accepts(hints);
    }

    @Test
    void everyClassTheStarterListsInSpringFactoriesCanBeInstantiated() throws Exception {
        List<String> factories = starterSpringFactories();
        assertThat(factories).isNotEmpty();
        for (String factory : factories) {
            // Boot picks the constructor (none, or one taking a DeferredLogFactory, ...): all must be invocable.
            for (java.lang.reflect.Constructor<?> constructor : Class.forName(factory).getDeclaredConstructors()) {
                assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(constructor))
                    .as(constructor.toString())
                    .accepts(hints);
            }
        }
    }

    /** The implementations named in this module's own {@code META-INF/spring.factories}. */
    private List<String> starterSpringFactories() throws IOException {
        for (URL url : Collections.list(classLoader.getResources("META-INF/spring.factories"))) {
            if (url.toString().contains("spiffe-spring-boot-autoconfigure")) {
                Properties properties = PropertiesLoaderUtils.loadProperties(new UrlResource(url));
                return properties.values()
                    .stream()
                    .flatMap(value -> StringUtils.commaDelimitedListToSet((String) value).stream())
                    .map(String::trim)
                    .toList();
            }
        }
        throw new IllegalStateException("the starter's META-INF/spring.factories is not on the class path");
    }
}
