package io.github.spiffeboot.client;

import java.io.IOException;
import java.util.Objects;

import io.github.spiffeboot.jwt.JwtSvids;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Sends this workload's JWT-SVID for one audience as {@code Authorization: Bearer} on every request of a
 * {@code RestClient} or {@code RestTemplate}, unless the request carries an {@code Authorization} header of
 * its own. The token comes from {@link JwtSvids}' cache: no request waits for the agent while the token is
 * fresh. If no token can be had, the request fails rather than go out without one.
 */
public final class JwtSvidRequestInterceptor implements ClientHttpRequestInterceptor {

    private final JwtSvids svids;

    private final String audience;

    public JwtSvidRequestInterceptor(JwtSvids svids, String audience) {
        this.svids = Objects.requireNonNull(svids, "svids");
        this.audience = Objects.requireNonNull(audience, "audience");
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        if (!request.getHeaders().containsHeader(HttpHeaders.AUTHORIZATION)) {
            request.getHeaders().setBearerAuth(svids.token(audience));
        }
        return execution.execute(request, body);
    }
}
