package io.github.spiffeboot.test.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a Spring Boot test's application with this SPIFFE identity: a
 * {@link io.github.spiffeboot.test.TestWorkloadApi} is started for the test context, serving an SVID
 * for {@link #value()}, and {@code spiffe.workload-api.socket} points at it. The server is a bean, so
 * the test can rotate, stop, restart it, or call the application as another ID:
 *
 * <pre>{@code
 * @SpringBootTest(webEnvironment = RANDOM_PORT)
 * @WithSpiffeIdentity("spiffe://example.org/ns/production/sa/payment-service")
 * class PaymentTests {
 *     @Autowired TestWorkloadApi workloadApi;
 *     @LocalServerPort int port;
 *
 *     @Test
 *     void orderServiceMayCharge() throws Exception {
 *         var response = workloadApi.client("spiffe://example.org/ns/production/sa/order-service")
 *             .post(port, "/api/payments/charge", "{}");
 *         assertThat(response.status()).isEqualTo(200);
 *     }
 *
 *     @Test
 *     void orderServiceMayChargeThroughTheGateway() throws Exception {   // spiffe.jwt.trusted-proxies: gateway
 *         var response = workloadApi.client("spiffe://example.org/ns/edge/sa/gateway")
 *             .bearer(workloadApi.jwtSvid("spiffe://example.org/ns/production/sa/order-service",
 *                     "spiffe://example.org/ns/production/sa/payment-service"))
 *             .post(port, "/api/payments/charge", "{}");
 *         assertThat(response.status()).isEqualTo(200);
 *     }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface WithSpiffeIdentity {

    /** The SPIFFE ID the application gets, such as {@code spiffe://example.org/ns/prod/sa/app}. */
    String value();

    /** The SVID lifetime, as a {@link java.time.Duration} string; rotation is on demand unless {@link #autoRotate()}. */
    String svidTtl() default "PT1H";

    /** Whether to rotate every half TTL, as SPIRE does. */
    boolean autoRotate() default false;
}
