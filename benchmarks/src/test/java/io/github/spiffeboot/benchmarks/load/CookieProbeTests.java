package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import static io.github.spiffeboot.benchmarks.load.AbResultTests.fixture;
import static org.assertj.core.api.Assertions.assertThat;

/** curl -sv output as recorded from real requests (curl 7.88.1). */
class CookieProbeTests {

    @Test
    void readsStatusAndTlsOfAnAnswerWithoutCookie() throws IOException {
        CookieProbe.Result result = CookieProbe.parse("GET / as order-service", fixture("curl-tls.txt"), 0);
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.setCookies()).isEmpty();
        assertThat(result.tls()).isEqualTo("TLSv1.3 TLS_AES_256_GCM_SHA384");
        assertThat(result.outcome()).isEqualTo("200");
    }

    @Test
    void namesTheCookiesAnAnswerSets() throws IOException {
        CookieProbe.Result result = CookieProbe.parse("POST /api as order-service", fixture("curl-set-cookie.txt"), 0);
        assertThat(result.status()).isEqualTo(403);
        assertThat(result.setCookies()).isEqualTo(List.of("JSESSIONID"));
    }

    @Test
    void reportsCurlsErrorWhenNoHttpAnswerCame() throws IOException {
        CookieProbe.Result result = CookieProbe.parse("GET / as order-service", fixture("curl-refused.txt"), 7);
        assertThat(result.status()).isZero();
        assertThat(result.outcome()).startsWith("no HTTP answer: curl: (7) Failed to connect");
    }
}
