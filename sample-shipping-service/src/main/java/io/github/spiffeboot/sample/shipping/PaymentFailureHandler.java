package io.github.spiffeboot.sample.shipping;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/** What went wrong with payment-service, as a clear JSON answer instead of a stack trace. */
@RestControllerAdvice
class PaymentFailureHandler {

    @ExceptionHandler(WebClientResponseException.class)
    ResponseEntity<Map<String, Object>> refused(WebClientResponseException ex) {
        int status = ex.getStatusCode().value();
        Map<String, Object> body = body((status == 403) ? "payment_forbidden" : "payment_error",
                "payment-service answered " + status + ((status == 403) ? ": this service may not make that call" : ""));
        body.put("upstreamStatus", status);
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(body);
    }

    @ExceptionHandler(WebClientRequestException.class)
    ResponseEntity<Map<String, Object>> unreachable(WebClientRequestException ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) {
                return ResponseEntity.status(HttpStatus.BAD_GATEWAY)
                    .body(body("payment_tls_failure", "mTLS with payment-service failed: " + cause.getMessage()));
            }
        }
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
            .body(body("payment_unavailable", "payment-service cannot be reached: " + ex.getMostSpecificCause()));
    }

    private static Map<String, Object> body(String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        return body;
    }
}
