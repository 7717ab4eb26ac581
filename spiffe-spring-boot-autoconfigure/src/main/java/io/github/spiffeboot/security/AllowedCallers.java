package io.github.spiffeboot.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.security.access.prepost.PreAuthorize;

/**
 * Only callers whose SPIFFE ID matches one of these patterns may invoke the method (needs
 * {@code @EnableMethodSecurity}):
 *
 * <pre>{@code
 * @AllowedCallers({ "spiffe://example.org/ns/production/sa/order-service", "spiffe://example.org/ns/ops/**" })
 * public Payment payment(String id) { ... }
 * }</pre>
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@PreAuthorize("@spiffe.callerMatches('{value}')")
public @interface AllowedCallers {

    /** SPIFFE IDs or patterns, as in {@code spiffe.authz.allowed-callers}. */
    String[] value();
}
