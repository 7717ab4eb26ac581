package io.github.spiffeboot.sample.order;

import io.github.spiffeboot.client.SpiffeRestClients;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.web.client.RestClient;

/**
 * How order-service reaches payment-service: {@code payment.transport=rest} (the default) or {@code grpc}.
 * Chosen when the application starts, not by a condition, so an AOT-processed build can run either way.
 */
@Configuration(proxyBeanMethods = false)
class PaymentsConfiguration {

    @Bean
    Payments payments(@Value("${payment.transport:rest}") String transport, ObjectProvider<RestClient.Builder> rest,
            ObjectProvider<SpiffeRestClients> spiffe, ObjectProvider<GrpcChannelFactory> channels) {
        return switch (transport) {
            case "rest" -> new RestPayments(rest.getObject(), spiffe.getObject());
            case "grpc" -> new GrpcPayments(channels.getObject().createChannel("payment"));
            default -> throw new IllegalStateException("payment.transport must be rest or grpc, not '" + transport + "'");
        };
    }
}
