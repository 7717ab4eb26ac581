package io.github.spiffeboot.sample.order;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.spiffeboot.sample.payments.v1.ChargeRequest;
import io.github.spiffeboot.sample.payments.v1.PaymentReply;
import io.github.spiffeboot.sample.payments.v1.PaymentsGrpc;
import io.github.spiffeboot.sample.payments.v1.RefundRequest;
import io.grpc.Channel;

/**
 * Calls payment-service's gRPC API on the channel {@code payment}: Boot's channel factory gives it the SVID
 * and the server IDs of {@code spiffe.client.servers.payment}, because the names match.
 */
class GrpcPayments implements Payments {

    private final PaymentsGrpc.PaymentsBlockingStub payments;

    GrpcPayments(Channel channel) {
        this.payments = PaymentsGrpc.newBlockingStub(channel);
    }

    @Override
    public Map<String, Object> charge(String orderId, Object amount) {
        long cents = (amount instanceof Number number) ? number.longValue() : 0;
        return asMap(call().charge(ChargeRequest.newBuilder().setOrderId(orderId).setAmount(cents).build()));
    }

    @Override
    public Map<String, Object> refund(String orderId) {
        return asMap(call().refund(RefundRequest.newBuilder().setOrderId(orderId).build()));
    }

    /** A deadline per call, as the REST client's read timeout: an unanswered call fails instead of hanging. */
    private PaymentsGrpc.PaymentsBlockingStub call() {
        return payments.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static Map<String, Object> asMap(PaymentReply reply) {
        Map<String, Object> payment = new LinkedHashMap<>();
        payment.put("status", reply.getStatus());
        payment.put("orderId", reply.getOrderId());
        payment.put("caller", reply.getCaller());
        payment.put("transport", "grpc");
        return payment;
    }
}
