package io.github.spiffeboot.testapp;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.spiffeboot.security.AllowedCallers;
import javax.net.ssl.SSLSession;

import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerInterceptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import static io.github.spiffeboot.test.TestGrpcChannel.textMethod;

/**
 * The payment API of the sample as a gRPC service ({@value #SERVICE}) on Boot's gRPC server, with no web
 * server at all; messages are UTF-8 text, so no protobuf code generation is needed. Its handlers call a
 * Spring bean, so method security ({@code @AllowedCallers}) applies to what they call.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableMethodSecurity
public class GrpcPaymentsApplication {

    public static final String SERVICE = "payments.v1.Payments";

    public static final String LEDGER = "payments.v1.Ledger";

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String SUBSCRIPTION = "spiffe://example.org/ns/production/sa/subscription-service";

    /**
     * The application with its {@code grpc-method} rules: Charge for order- and subscription-service, Refund
     * (rule "refund") and Echo for order-service, Whoami and Receipt for anyone in example.org, Trial in dry
     * run, the Ledger for anyone in example.org.
     * @param workloadApiSocket the Workload API's address
     */
    public static SpringApplicationBuilder builder(String workloadApiSocket) {
        String rule = "spiffe.authz.allowed-callers";
        return new SpringApplicationBuilder(GrpcPaymentsApplication.class).properties("spring.main.banner-mode=off",
                "spring.main.web-application-type=none", "spring.grpc.server.port=0",
                "spiffe.workload-api.socket=" + workloadApiSocket,
                "spiffe.authz.roles.PAYMENT_ADMIN=spiffe://example.org/ns/ops/**",
                rule + "[0].grpc-method=" + SERVICE + "/Charge", rule + "[0].ids=" + ORDER + "," + SUBSCRIPTION,
                rule + "[1].name=refund", rule + "[1].grpc-method=" + SERVICE + "/Refund", rule + "[1].ids=" + ORDER,
                rule + "[2].grpc-method=" + SERVICE + "/Whoami", rule + "[2].ids=spiffe://example.org/**",
                rule + "[3].grpc-method=" + SERVICE + "/Receipt", rule + "[3].ids=spiffe://example.org/**",
                rule + "[4].grpc-method=" + SERVICE + "/Echo", rule + "[4].ids=" + ORDER,
                rule + "[5].name=trial", rule + "[5].grpc-method=" + SERVICE + "/Trial", rule + "[5].ids=" + ORDER,
                rule + "[5].dry-run=true", rule + "[6].grpc-method=" + LEDGER + "/*",
                rule + "[6].ids=spiffe://example.org/**");
    }

    @Bean
    Operations operations() {
        return new Operations();
    }

    @Bean
    GrpcPort grpcPort() {
        return new GrpcPort();
    }

    @Bean
    EchoApplication.RecordedRejections recordedRejections() {
        return new EchoApplication.RecordedRejections();
    }

    @Bean
    @GlobalServerInterceptor
    ServerTlsSessions serverTlsSessions() {
        return new ServerTlsSessions();
    }

    @Bean
    BindableService payments(Operations operations) {
        ServerServiceDefinition definition = ServerServiceDefinition.builder(SERVICE)
            .addMethod(textMethod(SERVICE + "/Charge", MethodType.UNARY), unary(operations::charge))
            .addMethod(textMethod(SERVICE + "/Refund", MethodType.UNARY), unary(operations::refund))
            .addMethod(textMethod(SERVICE + "/Void", MethodType.UNARY), unary(operations::charge))
            .addMethod(textMethod(SERVICE + "/Trial", MethodType.UNARY), unary(operations::charge))
            .addMethod(textMethod(SERVICE + "/Whoami", MethodType.UNARY), unary(request -> operations.whoami()))
            .addMethod(textMethod(SERVICE + "/Receipt", MethodType.UNARY), unary(operations::receipt))
            .addMethod(textMethod(SERVICE + "/Echo", MethodType.BIDI_STREAMING),
                    ServerCalls.asyncBidiStreamingCall(responses -> new StreamObserver<String>() {
                        @Override
                        public void onNext(String message) {
                            responses.onNext(message + " from " + operations.whoami());
                        }

                        @Override
                        public void onError(Throwable error) {
                        }

                        @Override
                        public void onCompleted() {
                            responses.onCompleted();
                        }
                    }))
            .build();
        return () -> definition;
    }

    @Bean
    LedgerService ledger() {
        return new LedgerService();
    }

    private static ServerCallHandler<String, String> unary(java.util.function.Function<String, String> body) {
        return ServerCalls.asyncUnaryCall((request, responses) -> {
            responses.onNext(body.apply(request));
            responses.onCompleted();
        });
    }

    /** What the service does; its methods see the caller in the Spring Security context. */
    public static class Operations {

        public String charge(String amount) {
            return "charged " + amount;
        }

        public String refund(String amount) {
            return "refunded " + amount;
        }

        /** The caller's name and authorities, as service code sees them. */
        public String whoami() {
            Authentication caller = SecurityContextHolder.getContext().getAuthentication();
            return (caller != null) ? caller.getName() + " " + caller.getAuthorities() : "nobody";
        }

        @AllowedCallers("spiffe://example.org/ns/production/sa/order-service")
        public String receipt(String id) {
            return "receipt " + id;
        }
    }

    /**
     * Shaped as protoc-gen-grpc-java's code: an {@code ImplBase} whose final {@code bindService()} binds this
     * instance's own methods, so that method security on a subclass applies to the gRPC methods themselves.
     */
    public abstract static class LedgerImplBase implements BindableService {

        public void balance(String account, StreamObserver<String> responses) {
            responses.onError(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
        }

        public void close(String account, StreamObserver<String> responses) {
            responses.onError(io.grpc.Status.UNIMPLEMENTED.asRuntimeException());
        }

        @Override
        public final ServerServiceDefinition bindService() {
            return ServerServiceDefinition.builder(LEDGER)
                .addMethod(textMethod(LEDGER + "/Balance", MethodType.UNARY), ServerCalls.asyncUnaryCall(this::balance))
                .addMethod(textMethod(LEDGER + "/Close", MethodType.UNARY), ServerCalls.asyncUnaryCall(this::close))
                .build();
        }
    }

    /** A gRPC service whose own methods carry {@code @PreAuthorize} and {@code @AllowedCallers}. */
    public static class LedgerService extends LedgerImplBase {

        @Override
        @PreAuthorize("@spiffe.isCaller('spiffe://example.org/ns/production/sa/order-service')")
        public void balance(String account, StreamObserver<String> responses) {
            responses.onNext("balance of " + account);
            responses.onCompleted();
        }

        @Override
        @AllowedCallers("spiffe://example.org/ns/ops/**")
        public void close(String account, StreamObserver<String> responses) {
            responses.onNext("closed " + account);
            responses.onCompleted();
        }
    }

    /** The port the gRPC server listens on (spring.grpc.server.port=0 picks a free one). */
    public static class GrpcPort implements ApplicationListener<GrpcServerStartedEvent> {

        private final AtomicInteger port = new AtomicInteger(-1);

        @Override
        public void onApplicationEvent(GrpcServerStartedEvent event) {
            port.set(event.getPort());
        }

        public int get() {
            return port.get();
        }
    }

    /** The TLS session of the last call the server received, as the server's own engine made it. */
    public static class ServerTlsSessions implements ServerInterceptor {

        private final AtomicReference<SSLSession> last = new AtomicReference<>();

        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                io.grpc.ServerCallHandler<Q, A> next) {
            last.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
            return next.startCall(call, headers);
        }

        public SSLSession last() {
            return last.get();
        }
    }
}
