package io.github.spiffeboot.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ab's report as recorded from real runs (Debian apache2-utils 2.4.71). */
class AbResultTests {

    @Test
    void readsAKeepAliveTlsRun() throws IOException {
        AbResult result = AbResult.parse(fixture("ab-tls-keepalive.txt"));
        assertThat(result).isEqualTo(new AbResult(350, 0, 0, 350, 3.004, 116.51, "TLSv1.3 TLS_AES_256_GCM_SHA384"));
        assertThat(result.unsuccessful()).isZero();
    }

    @Test
    void countsNon2xxAnswersAsUnsuccessful() throws IOException {
        AbResult result = AbResult.parse(fixture("ab-non2xx.txt"));
        assertThat(result.complete()).isEqualTo(10);
        assertThat(result.non2xx()).isEqualTo(10);
        assertThat(result.keepAliveRequests()).isZero();
        assertThat(result.tls()).isEmpty();
        assertThat(result.unsuccessful()).isEqualTo(10);
    }

    @Test
    void countsFailedRequestsAsUnsuccessful() throws IOException {
        AbResult result = AbResult.parse(fixture("ab-failed.txt"));
        assertThat(result.failed()).isEqualTo(5);
        assertThat(result.unsuccessful()).isEqualTo(5);
    }

    @Test
    void refusesOutputWithoutTheLinesTheBenchmarkReads() {
        assertThatThrownBy(() -> AbResult.parse("apr_socket_connect(): Connection refused (111)\n"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Complete requests");
    }

    static String fixture(String name) throws IOException {
        try (InputStream in = AbResultTests.class.getResourceAsStream("/load/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
