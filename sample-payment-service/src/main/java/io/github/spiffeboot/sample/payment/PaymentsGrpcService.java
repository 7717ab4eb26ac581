package io.github.spiffeboot.sample.payment;

import io.github.spiffeboot.sample.payments.v1.ChargeRequest;
import io.github.spiffeboot.sample.payments.v1.PaymentReply;
import io.github.spiffeboot.sample.payments.v1.PaymentsGrpc;
import io.github.spiffeboot.sample.payments.v1.RefundRequest;
import io.grpc.stub.StreamObserver;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;

/**
 * The payment API over gRPC. Who may call which method is configured next to the REST rules, in
 * payment-service.yml ({@code grpc-method} rules); by the time a method runs, its caller is authorized and in
 * the Spring Security context, as for a REST handler.
 */
@Service
class PaymentsGrpcService extends PaymentsGrpc.PaymentsImplBase {

    @Override
    public void charge(ChargeRequest request, StreamObserver<PaymentReply> responses) {
        reply("charged", request.getOrderId(), responses);
    }

    @Override
    public void refund(RefundRequest request, StreamObserver<PaymentReply> responses) {
        reply("refunded", request.getOrderId(), responses);
    }

    private static void reply(String status, String orderId, StreamObserver<PaymentReply> responses) {
        String caller = SecurityContextHolder.getContext().getAuthentication().getName();
        responses.onNext(PaymentReply.newBuilder().setStatus(status).setOrderId(orderId).setCaller(caller).build());
        responses.onCompleted();
    }
}
