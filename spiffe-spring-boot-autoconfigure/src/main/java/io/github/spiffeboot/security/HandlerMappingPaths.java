package io.github.spiffeboot.security;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.spiffeboot.authz.NormalizedPath;
import io.github.spiffeboot.authz.RequestPaths;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.util.ClassUtils;
import org.springframework.web.util.UriUtils;
import org.springframework.web.util.WebUtils;

/**
 * Reads a request's path the way Spring MVC's handler mappings read it, so that rules are written as
 * the mappings are: percent-decoded segments without path parameters, within the context path and, when
 * the DispatcherServlet is mapped to a servlet path ({@code spring.mvc.servlet.path=/api}, a mapping of
 * {@code /api/*}), within that servlet path. {@code @GetMapping("/payments")} served at
 * {@code /api/payments} is then protected by a rule for {@code /payments}, and so are management endpoints
 * under {@code management.endpoints.web.base-path}.
 * <p>
 * Only the DispatcherServlet's servlet path is taken off. A request for another servlet keeps its servlet
 * path (its path within the application, as before), so a rule written for a handler can never be read as
 * a rule about another servlet's paths, while a catch-all such as {@code /**} still covers them.
 * <p>
 * A path that cannot be read this way (its raw form does not start with the servlet path Tomcat decoded,
 * such as {@code /%61pi/payments}) raises {@link IllegalArgumentException}, as it does in Spring MVC.
 */
final class HandlerMappingPaths {

    private static final String DISPATCHER_SERVLET = "org.springframework.web.servlet.DispatcherServlet";

    /** Per servlet name, whether the servlet is a DispatcherServlet; bounded by the registered servlets. */
    private final Map<String, Boolean> dispatcherServlets = new ConcurrentHashMap<>();

    NormalizedPath of(HttpServletRequest request) {
        String requestUri = (String) request.getAttribute(WebUtils.INCLUDE_REQUEST_URI_ATTRIBUTE);
        if (requestUri == null) {
            requestUri = request.getRequestURI();
        }
        String contextPath = request.getContextPath();
        String servletPath = dispatcherServletPath(request);
        RequestPath path = RequestPath.parse(requestUri,
                (servletPath != null) ? contextPath + UriUtils.encodePath(servletPath, StandardCharsets.UTF_8)
                        : contextPath);
        List<PathContainer.Element> elements = path.pathWithinApplication().elements();
        List<String> segments = new ArrayList<>(elements.size());
        for (PathContainer.Element element : elements) {
            if (element instanceof PathContainer.PathSegment segment) {
                segments.add(segment.valueToMatch());
            }
        }
        boolean trailingSlash = !elements.isEmpty()
                && !(elements.get(elements.size() - 1) instanceof PathContainer.PathSegment);
        return RequestPaths.normalize(segments, trailingSlash);
    }

    /**
     * The servlet path to take off, as Spring MVC does ({@code ServletRequestPathUtils}): only for a
     * DispatcherServlet with a prefix mapping; {@code null} otherwise.
     */
    private String dispatcherServletPath(HttpServletRequest request) {
        HttpServletMapping mapping = (HttpServletMapping) request.getAttribute(RequestDispatcher.INCLUDE_MAPPING);
        if (mapping == null) {
            mapping = request.getHttpServletMapping();
        }
        if (mapping == null || mapping.getMappingMatch() != MappingMatch.PATH
                || !isDispatcherServlet(request.getServletContext(), mapping.getServletName())) {
            return null;
        }
        String servletPath = (String) request.getAttribute(WebUtils.INCLUDE_SERVLET_PATH_ATTRIBUTE);
        servletPath = (servletPath != null) ? servletPath : request.getServletPath();
        servletPath = servletPath.endsWith("/") ? servletPath.substring(0, servletPath.length() - 1) : servletPath;
        return servletPath.isEmpty() ? null : servletPath;
    }

    private boolean isDispatcherServlet(ServletContext context, String servletName) {
        if (servletName == null) {
            return false;
        }
        Boolean known = dispatcherServlets.get(servletName);
        if (known == null) {
            ServletRegistration registration = context.getServletRegistration(servletName);
            known = registration != null && isDispatcherServletClass(registration.getClassName(), context);
            dispatcherServlets.put(servletName, known);
        }
        return known;
    }

    private static boolean isDispatcherServletClass(String className, ServletContext context) {
        if (className == null) {
            return false;
        }
        try {
            // By name: Spring MVC is optional for this starter.
            for (Class<?> type = ClassUtils.forName(className, context.getClassLoader()); type != null;
                    type = type.getSuperclass()) {
                if (type.getName().equals(DISPATCHER_SERVLET)) {
                    return true;
                }
            }
            return false;
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }
}
