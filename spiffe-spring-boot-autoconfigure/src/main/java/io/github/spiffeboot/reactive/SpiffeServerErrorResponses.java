package io.github.spiffeboot.reactive;

import java.nio.charset.StandardCharsets;
import java.security.Principal;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.security.JwtSvidCallers;
import io.github.spiffeboot.security.SpiffeErrorBodies;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The servlet side's JSON bodies ({@link SpiffeErrorBodies}) for refused exchanges: 401 when the caller has
 * no SPIFFE identity (with {@code WWW-Authenticate: Bearer error="invalid_token"} when a JWT-SVID was
 * refused), 403 (with the caller's ID, the method and the path) when its identity is not allowed.
 */
public final class SpiffeServerErrorResponses implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler {

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
        if (exchange.getAttribute(JwtSvidCallers.REJECTION_ATTRIBUTE) != null) {
            // RFC 6750; why exactly the token was refused is for the audit log, not for the caller.
            if (!exchange.getResponse().isCommitted()) {
                exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
            }
            return write(exchange, HttpStatus.UNAUTHORIZED,
                    SpiffeErrorBodies.invalidJwtSvid(exchange.getRequest().getPath().value()));
        }
        return write(exchange, HttpStatus.UNAUTHORIZED,
                SpiffeErrorBodies.unauthenticated(exchange.getRequest().getPath().value()));
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        ServerHttpRequest request = exchange.getRequest();
        Object attribute = exchange.getAttribute(SpiffeReactiveAuthorizationManager.DECISION_ATTRIBUTE);
        Mono<String> caller = (attribute instanceof AuthorizationDecision decision && decision.caller() != null)
                ? Mono.just(decision.caller().toString())
                : exchange.getPrincipal().map(Principal::getName).defaultIfEmpty("null");
        return caller.flatMap(name -> write(exchange, HttpStatus.FORBIDDEN,
                SpiffeErrorBodies.forbidden(name, request.getMethod().name(), request.getPath().value())));
    }

    private static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String body) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        DataBuffer buffer = response.bufferFactory().wrap(body.getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(buffer));
    }
}
