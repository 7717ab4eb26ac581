package io.github.spiffeboot.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.github.spiffeboot.authz.AuthorizationDecision;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Small JSON bodies for refused requests ({@link SpiffeErrorBodies}): 401 when the caller has no SPIFFE
 * identity (with {@code WWW-Authenticate: Bearer error="invalid_token"} when a JWT-SVID was refused), 403
 * (with the caller's ID and the path) when its identity is not allowed.
 */
public final class SpiffeErrorResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response,
            AuthenticationException authException) throws IOException {
        if (request.getAttribute(JwtSvidCallers.REJECTION_ATTRIBUTE) != null) {
            // RFC 6750; why exactly the token was refused is for the audit log, not for the caller.
            if (!response.isCommitted()) {
                response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            }
            write(response, HttpServletResponse.SC_UNAUTHORIZED,
                    SpiffeErrorBodies.invalidJwtSvid(request.getRequestURI()));
            return;
        }
        write(response, HttpServletResponse.SC_UNAUTHORIZED, SpiffeErrorBodies.unauthenticated(request.getRequestURI()));
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response,
            AccessDeniedException accessDeniedException) throws IOException {
        Object attribute = request.getAttribute(SpiffeAuthorizationManager.DECISION_ATTRIBUTE);
        String caller = (attribute instanceof AuthorizationDecision decision && decision.caller() != null)
                ? decision.caller().toString() : String.valueOf(request.getUserPrincipal() != null
                        ? request.getUserPrincipal().getName() : null);
        write(response, HttpServletResponse.SC_FORBIDDEN,
                SpiffeErrorBodies.forbidden(caller, request.getMethod(), request.getRequestURI()));
    }

    private static void write(HttpServletResponse response, int status, String body) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(body);
    }
}
