package io.github.spiffeboot.benchmarks.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the probe reads from /proc, jcmd and the Prometheus scrape, in the formats recorded on JDK 17. */
class JvmProbeTests {

    private static final String STAT = "28606 (java) S 1 28601 3005 0 -1 4194304 12019 0 0 0 115 10 0 0 20 0 22 0 "
            + "173994 2705551360 18546 18446744073709551615 94166585573376 94166585574261 140721905052784 0 0 0 0 2 "
            + "16800973 0 0 0 17 1 0 0 0 0 0";

    @Test
    void addsUserAndSystemTicks() {
        assertThat(JvmProbe.cpuTicks(STAT)).isEqualTo(125);
    }

    @Test
    void countsFieldsAfterACommandNameWithSpacesAndParentheses() {
        assertThat(JvmProbe.cpuTicks(STAT.replace("(java)", "(my (odd) java)"))).isEqualTo(125);
    }

    @Test
    void readsTheUsedG1Heap() {
        String heapInfo = """
                28606:
                 garbage-first heap   total 65536K, used 7654K [0x00000000fc000000, 0x0000000100000000)
                  region size 1024K, 5 young (5120K), 1 survivors (1024K)
                 Metaspace       used 8949K, committed 9152K, reserved 1114112K
                  class space    used 1063K, committed 1152K, reserved 1048576K
                """;
        assertThat(JvmProbe.heapUsed(heapInfo)).isEqualTo(7654L * 1024);
    }

    @Test
    void refusesAHeapReportOfAnotherCollector() {
        assertThatThrownBy(() -> JvmProbe.heapUsed(" def new generation   total 4928K, used 2463K\n"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("G1");
    }

    @Test
    void readsOpenAndCreatedSessionsWithOrWithoutTags() {
        String scrape = """
                # HELP tomcat_sessions_active_current_sessions
                # TYPE tomcat_sessions_active_current_sessions gauge
                tomcat_sessions_active_current_sessions 2439.0
                # HELP tomcat_sessions_created_sessions_total
                # TYPE tomcat_sessions_created_sessions_total counter
                tomcat_sessions_created_sessions_total{application="payment-service"} 2440.0
                """;
        assertThat(JvmProbe.sessions(scrape)).isEqualTo(new JvmProbe.Sessions(2439, 2440));
    }

    @Test
    void refusesAScrapeWithoutTomcatsSessionMeters() {
        assertThatThrownBy(() -> JvmProbe.sessions("jvm_threads_live_threads 60.0\n"))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
