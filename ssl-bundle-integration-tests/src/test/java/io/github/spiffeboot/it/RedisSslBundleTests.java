package io.github.spiffeboot.it;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Spring Data Redis (Lettuce) with {@code spring.data.redis.ssl.bundle=spiffe} against a real
 * {@code redis-server} on a TLS port only, with {@code tls-auth-clients yes} and the trust bundle as its CA
 * file. Redis's own certificate is an SVID (with a DNS name too), as SPIRE issues for a database.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisSslBundleTests {

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String REDIS = "spiffe://example.org/ns/data/sa/redis";

    final TestCertificateAuthority ca = TestCertificateAuthority.create("example.org");

    final TestWorkloadApi agent = TestWorkloadApi.create(ca);

    @TempDir
    Path dir;

    RedisServer redis;

    ConfigurableApplicationContext app;

    @BeforeEach
    void start() throws Exception {
        agent.identity(ORDER).start();
        ca.issue(SvidSpec.forId(REDIS).dnsNames("localhost")).writePem(dir.resolve("redis.crt"), dir.resolve("redis.key"));
        writeAuthorities(dir.resolve("ca.pem"), ca.certificate());
        redis = RedisServer.start(dir, dir.resolve("redis.crt"), dir.resolve("redis.key"), dir.resolve("ca.pem"));
        app = application(agent);
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        redis.close();
        agent.close();
    }

    ConfigurableApplicationContext application(TestWorkloadApi workloadApi, String... more) {
        return ClientApplication.start(concat(new String[] { "spiffe.workload-api.socket=" + workloadApi.socketAddress(),
                "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
                "spring.data.redis.ssl.bundle=spiffe", "spring.data.redis.timeout=5s",
                "spiffe.ssl-bundle.expected-peer-ids[0]=" + REDIS }, more));
    }

    @Test
    void readsAndWritesWithTheSpiffeBundle() {
        StringRedisTemplate redisTemplate = app.getBean(StringRedisTemplate.class);
        redisTemplate.opsForValue().set("order:42", "paid");
        assertThat(redisTemplate.opsForValue().get("order:42")).isEqualTo("paid");
    }

    /**
     * A plain rotation: every connection Lettuce opens afterwards carries the new SVID in its TLS session,
     * which a resumed session (Redis issues session tickets) would not: each is a full handshake.
     */
    @Test
    void newConnectionsAfterARotationAreFullHandshakesPresentingTheNewSvid(CapturedOutput output) throws Exception {
        LettuceConnectionFactory factory = app.getBean(LettuceConnectionFactory.class);
        factory.setShareNativeConnection(false); // every RedisConnection its own TCP and TLS connection
        TestSvid before = agent.currentSvid();
        try (RedisConnection connection = factory.getConnection()) {
            assertThat(connection.ping()).isEqualTo("PONG");
            assertThat(LettuceTlsSessions.localCertificate(connection)).isEqualTo(before.leaf());
        }
        TestSvid rotated = agent.rotate();
        await().atMost(Duration.ofSeconds(10)).until(() -> leafOfBundle().equals(rotated.leaf()));
        for (int i = 0; i < 3; i++) {
            try (RedisConnection connection = factory.getConnection()) {
                assertThat(connection.ping()).isEqualTo("PONG");
                assertThat(LettuceTlsSessions.localCertificate(connection)).isEqualTo(rotated.leaf());
            }
        }
        assertThat(output).as("Boot's warning for bundles whose consumers cannot reload: wrong for the managers")
            .doesNotContain("doesn't support SSL reloading");
    }

    /**
     * The SVID rotates onto a new CA of the trust domain and Redis is told to trust only that CA: a new
     * connection works only if it presents the new SVID (the old one is shown refused), and Redis's
     * reloaded TLS context cannot resume an earlier session.
     */
    @Test
    void afterARotationNewConnectionsPresentTheNewSvidAndStillWork() throws Exception {
        StringRedisTemplate redisTemplate = app.getBean(StringRedisTemplate.class);
        redisTemplate.opsForValue().set("order:43", "pending");
        TestSvid before = agent.currentSvid();

        TestCertificateAuthority newCa = TestCertificateAuthority.create("example.org");
        agent.serveOwnBundle(concat(ca.certificate().getEncoded(), newCa.certificate().getEncoded()));
        TestSvid rotated = newCa.issue(ORDER, Duration.ofHours(1));
        agent.serve(rotated);
        await().atMost(Duration.ofSeconds(10)).until(() -> leafOfBundle().equals(rotated.leaf()));

        writeAuthorities(dir.resolve("new-ca.pem"), newCa.certificate());
        redisTemplate.execute(connection -> {
            connection.serverCommands().setConfig("tls-ca-cert-file", dir.resolve("new-ca.pem").toString());
            return null;
        }, true);
        assertThat(RawTlsClient.redisPing(redis.port(), before, ca.bundle())).as("the SVID of before the rotation")
            .startsWith("failed");
        assertThat(RawTlsClient.redisPing(redis.port(), rotated, ca.bundle())).isEqualTo("+PONG");

        app.getBean(LettuceConnectionFactory.class).resetConnection();
        assertThat(redisTemplate.opsForValue().get("order:43")).isEqualTo("pending");
        redisTemplate.opsForValue().set("order:43", "paid");
        assertThat(redisTemplate.opsForValue().get("order:43")).isEqualTo("paid");
    }

    @Test
    void aClientWhoseSvidIsFromAnotherTrustDomainIsRefusedByRedis() throws Exception {
        TestCertificateAuthority partner = TestCertificateAuthority.create("partner.org");
        try (TestWorkloadApi partnerAgent = TestWorkloadApi.create(partner)) {
            // The partner workload trusts example.org and expects Redis's ID: only Redis can refuse.
            partnerAgent.identity("spiffe://partner.org/ns/billing/sa/reporting").federateWith(ca).start();
            try (ConfigurableApplicationContext partnerApp = application(partnerAgent)) {
                StringRedisTemplate redisTemplate = partnerApp.getBean(StringRedisTemplate.class);
                assertThatThrownBy(() -> redisTemplate.opsForValue().get("order:42"))
                    .isInstanceOf(RedisConnectionFailureException.class)
                    .as("refused by Redis, not by the client")
                    .hasStackTraceContaining("Received fatal alert");
            }
            assertThat(RawTlsClient.redisPing(redis.port(), partnerAgent.currentSvid(), ca.bundle()))
                .startsWith("failed");
        }
        assertThat(redis.log()).contains("certificate verify failed");
    }

    private X509Certificate leafOfBundle() throws Exception {
        var bundle = app.getBean(SslBundles.class).getBundle("spiffe");
        return (X509Certificate) bundle.getStores().getKeyStore().getCertificate(bundle.getKey().getAlias());
    }

    static void writeAuthorities(Path file, X509Certificate... authorities) throws Exception {
        new TestSvid(List.of(authorities), null).writePem(file, null);
    }

    static byte[] concat(byte[]... parts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part);
        }
        return out.toByteArray();
    }

    static String[] concat(String[] first, String[] second) {
        String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
