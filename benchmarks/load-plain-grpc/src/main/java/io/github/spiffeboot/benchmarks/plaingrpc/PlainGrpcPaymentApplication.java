package io.github.spiffeboot.benchmarks.plaingrpc;

import io.github.spiffeboot.sample.payments.v1.ChargeRequest;
import io.github.spiffeboot.sample.payments.v1.PaymentReply;
import io.github.spiffeboot.sample.payments.v1.PaymentsGrpc;
import io.github.spiffeboot.sample.payments.v1.RefundRequest;
import io.grpc.stub.StreamObserver;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Service;

/**
 * The gRPC load benchmark's baseline: payment-service's gRPC API on Boot's gRPC server with plain TLS (a PEM
 * {@code SslBundle}, client certificates required), without Spring Security and without the starter. It
 * answers every caller the trust store accepts: it measures what TLS and gRPC cost, nothing more.
 */
@SpringBootApplication
public class PlainGrpcPaymentApplication {

    public static void main(String[] args) {
        SpringApplication.run(PlainGrpcPaymentApplication.class, args);
    }

    /** The same replies as sample-payment-service's, without a caller (nothing authenticates one here). */
    @Service
    static class Payments extends PaymentsGrpc.PaymentsImplBase {

        @Override
        public void charge(ChargeRequest request, StreamObserver<PaymentReply> responses) {
            responses.onNext(PaymentReply.newBuilder().setStatus("charged").setOrderId(request.getOrderId()).build());
            responses.onCompleted();
        }

        @Override
        public void refund(RefundRequest request, StreamObserver<PaymentReply> responses) {
            responses.onNext(PaymentReply.newBuilder().setStatus("refunded").setOrderId(request.getOrderId()).build());
            responses.onCompleted();
        }
    }
}
