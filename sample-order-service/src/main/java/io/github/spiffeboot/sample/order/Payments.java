package io.github.spiffeboot.sample.order;

import java.util.Map;

/** payment-service, as order-service uses it: over REST or over gRPC ({@code payment.transport}). */
interface Payments {

    Map<String, Object> charge(String orderId, Object amount);

    Map<String, Object> refund(String orderId);
}
