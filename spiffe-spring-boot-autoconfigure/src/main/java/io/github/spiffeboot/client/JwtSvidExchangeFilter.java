package io.github.spiffeboot.client;

import java.util.Objects;

import io.github.spiffeboot.jwt.JwtSvids;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The {@code WebClient} counterpart of {@link JwtSvidRequestInterceptor}: {@code Authorization: Bearer}
 * with this workload's JWT-SVID for one audience, unless the request has its own. A cached token is
 * attached on the calling thread; only when a token must be fetched from the agent (the first call, say)
 * does the fetch move to a thread that may block, never an event loop.
 */
public final class JwtSvidExchangeFilter implements ExchangeFilterFunction {

    private final JwtSvids svids;

    private final String audience;

    public JwtSvidExchangeFilter(JwtSvids svids, String audience) {
        this.svids = Objects.requireNonNull(svids, "svids");
        this.audience = Objects.requireNonNull(audience, "audience");
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        if (request.headers().containsHeader(HttpHeaders.AUTHORIZATION)) {
            return next.exchange(request);
        }
        String ready = svids.tokenIfFresh(audience);
        Mono<String> token = (ready != null) ? Mono.just(ready)
                : Mono.fromCallable(() -> svids.token(audience)).subscribeOn(Schedulers.boundedElastic());
        return token.flatMap(bearer -> next.exchange(
                ClientRequest.from(request).headers(headers -> headers.setBearerAuth(bearer)).build()));
    }
}
