package io.github.spiffeboot.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring for Apache Kafka with {@code spring.kafka.ssl.bundle=spiffe} against a real Kafka broker in-process
 * (spring-kafka-test's KRaft broker) whose client listener is SSL only, requires a client certificate and
 * trusts the trust bundle. The broker's own certificate is an SVID (with a DNS name too).
 */
class KafkaSslBundleTests {

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String KAFKA = "spiffe://example.org/ns/data/sa/kafka";

    final TestCertificateAuthority ca = TestCertificateAuthority.create("example.org");

    final TestWorkloadApi agent = TestWorkloadApi.create(ca);

    @TempDir
    Path dir;

    EmbeddedKafkaKraftBroker broker;

    ConfigurableApplicationContext app;

    @BeforeEach
    void start() throws Exception {
        agent.identity(ORDER).start();
        TestSvid brokerSvid = ca.issue(SvidSpec.forId(KAFKA).dnsNames("localhost"));
        brokerSvid.writePem(dir.resolve("kafka.crt"), dir.resolve("kafka.key"));
        RedisSslBundleTests.writeAuthorities(dir.resolve("ca.pem"), ca.certificate());
        broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.brokerProperties(Map.of(
                // The kit names its client listener EXTERNAL; make it SSL (the controller listener stays internal).
                "listener.security.protocol.map", "EXTERNAL:SSL,CONTROLLER:PLAINTEXT",
                "ssl.client.auth", "required",
                "ssl.keystore.type", "PEM",
                "ssl.keystore.certificate.chain", Files.readString(dir.resolve("kafka.crt")),
                "ssl.keystore.key", Files.readString(dir.resolve("kafka.key")),
                "ssl.truststore.type", "PEM",
                "ssl.truststore.certificates", Files.readString(dir.resolve("ca.pem")),
                "auto.create.topics.enable", "true"));
        broker.afterPropertiesSet();
        app = ClientApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(), "spring.kafka.security.protocol=SSL",
                "spring.kafka.ssl.bundle=spiffe", "spiffe.ssl-bundle.expected-peer-ids[0]=" + KAFKA,
                "spring.kafka.consumer.group-id=orders", "spring.kafka.consumer.auto-offset-reset=earliest",
                "spring.kafka.producer.properties.max.block.ms=15000");
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        if (broker != null) {
            broker.destroy();
        }
        agent.close();
    }

    /**
     * Produce and consume with a short-lived SVID; it rotates and then expires, so the broker would refuse
     * it: a new producer and a new consumer (new connections) still produce and consume, so they present the
     * new SVID, and the producer's connection opened before the rotation was never interrupted. (Boot's Kafka
     * engine factory creates a TLS context per connection, so no connection can resume an earlier session.)
     */
    @Test
    void producesAndConsumesAcrossARotation() throws Exception {
        // A short-lived SVID first, so that after the rotation the broker would refuse it.
        agent.svidTtl(Duration.ofSeconds(15));
        TestSvid first = agent.rotate();
        awaitBundleLeaf(first);
        DefaultKafkaProducerFactory<?, ?> producers = app.getBean(DefaultKafkaProducerFactory.class);
        producers.reset();
        @SuppressWarnings("unchecked")
        KafkaTemplate<String, String> template = app.getBean(KafkaTemplate.class);
        template.send("orders", "42", "placed").get();
        List<String> seen = new ArrayList<>();
        try (Consumer<?, ?> consumer = newConsumer()) {
            pollUntil(consumer, seen, 1);
        }
        assertThat(seen).containsExactly("placed");

        agent.svidTtl(Duration.ofHours(1));
        TestSvid rotated = agent.rotate();
        awaitBundleLeaf(rotated);
        Instant expired = first.leaf().getNotAfter().toInstant().plusSeconds(1);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expired).toMillis()));

        template.send("orders", "42", "paid").get(); // on the producer's connection from before the rotation
        producers.reset(); // a new producer: new connections, which the broker verifies now
        template.send("orders", "43", "placed").get();
        seen.clear();
        try (Consumer<?, ?> consumer = newConsumer()) {
            pollUntil(consumer, seen, 3);
        }
        assertThat(seen).containsExactly("placed", "paid", "placed");
    }

    private void awaitBundleLeaf(TestSvid svid) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            SslBundle bundle = app.getBean(SslBundles.class).getBundle("spiffe");
            return svid.leaf().equals(bundle.getStores().getKeyStore().getCertificate(bundle.getKey().getAlias()));
        });
    }

    private Consumer<?, ?> newConsumer() {
        Consumer<?, ?> consumer = app.getBean(ConsumerFactory.class).createConsumer("reader-" + System.nanoTime(), null);
        consumer.subscribe(List.of("orders"));
        return consumer;
    }

    private static void pollUntil(Consumer<?, ?> consumer, List<String> seen, int count) {
        Instant deadline = Instant.now().plusSeconds(30);
        while (seen.size() < count && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<?, ?> record : consumer.poll(Duration.ofMillis(500))) {
                seen.add(String.valueOf(record.value()));
            }
        }
    }
}
