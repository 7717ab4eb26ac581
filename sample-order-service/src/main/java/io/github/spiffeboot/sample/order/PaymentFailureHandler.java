package io.github.spiffeboot.sample.order;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientResponseException;

/** What went wrong with payment-service (over REST or gRPC), as a clear JSON answer instead of a stack trace. */
@RestControllerAdvice
class PaymentFailureHandler {

    @ExceptionHandler(RestClientResponseException.class)
    ResponseEntity<Map<String, Object>> refused(RestClientResponseException ex) {
        String error = (ex.getStatusCode().value() == 403) ? "payment_forbidden" : "payment_error";
        Map<String, Object> body = body(error, "payment-service answered " + ex.getStatusCode().value()
                + ((ex.getStatusCode().value() == 403) ? ": this service may not make that call" : ""));
        body.put("upstreamStatus", ex.getStatusCode().value());
        body.put("upstreamBody", ex.getResponseBodyAsString());
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(body);
    }

    @ExceptionHandler(ResourceAccessException.class)
    ResponseEntity<Map<String, Object>> unreachable(ResourceAccessException ex) {
        Throwable cause = rootCause(ex);
        if (has(ex, SSLException.class)) {
            return ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                .body(body("payment_tls_failure", "mTLS with payment-service failed: " + cause.getMessage()));
        }
        if (has(ex, HttpTimeoutException.class) || has(ex, SocketTimeoutException.class)) {
            if (!has(ex, HttpConnectTimeoutException.class)) {
                return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT)
                    .body(body("payment_timeout", "payment-service did not answer in time"));
            }
        }
        if (has(ex, ConnectException.class) || has(ex, HttpConnectTimeoutException.class)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(body("payment_unavailable", "payment-service cannot be reached: " + cause.getMessage()));
        }
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY)
            .body(body("payment_io_error", "calling payment-service failed: " + cause.getMessage()));
    }

    @ExceptionHandler(StatusRuntimeException.class)
    ResponseEntity<Map<String, Object>> grpcFailure(StatusRuntimeException ex) {
        if (has(ex, SSLException.class)) {
            return ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                .body(body("payment_tls_failure", "mTLS with payment-service failed: " + rootCause(ex).getMessage()));
        }
        Status.Code code = ex.getStatus().getCode();
        return switch (code) {
            case PERMISSION_DENIED, UNAUTHENTICATED -> {
                Map<String, Object> body = body("payment_forbidden",
                        "payment-service answered " + code + ": this service may not make that call");
                body.put("upstreamStatus", code.name());
                yield ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(body);
            }
            case DEADLINE_EXCEEDED -> ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT)
                .body(body("payment_timeout", "payment-service did not answer in time"));
            case UNAVAILABLE -> ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(body("payment_unavailable", "payment-service cannot be reached: " + ex.getStatus()));
            default -> ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                .body(body("payment_error", "calling payment-service failed: " + ex.getStatus()));
        };
    }

    private static Map<String, Object> body(String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        return body;
    }

    private static boolean has(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable ex) {
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
