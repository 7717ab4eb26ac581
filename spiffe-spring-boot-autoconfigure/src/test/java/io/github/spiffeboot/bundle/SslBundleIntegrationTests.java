package io.github.spiffeboot.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestTlsServer;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.ClientApplication;
import io.github.spiffeboot.testapp.RunningApplication;
import io.github.spiffeboot.tls.PeerRejectionListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@code spiffe} SSL bundle as Boot integrations use it, in real TLS handshakes with a real server
 * ({@link TestTlsServer}, plain JSSE, PKIX client verification against the trust bundle, as a broker or
 * database configured with the bundle's CA does): the application takes its identity from the test
 * Workload API on a Unix socket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SslBundleIntegrationTests {

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    static final String REDIS = "spiffe://example.org/ns/data/sa/redis";

    final TestCertificateAuthority ca = TestCertificateAuthority.create("example.org");

    final TestCertificateAuthority partner = TestCertificateAuthority.create("partner.org");

    final TestWorkloadApi agent = TestWorkloadApi.create(ca);

    ConfigurableApplicationContext app;

    @BeforeAll
    void start() {
        agent.identity(ORDER).federateWith(partner).start();
        app = ClientApplication.start("spiffe.workload-api.socket=" + agent.socketAddress());
    }

    @AfterAll
    void stop() {
        app.close();
        agent.close();
    }

    SslBundle bundle() {
        return app.getBean(SslBundles.class).getBundle("spiffe");
    }

    @Test
    void aClientUsingTheBundlePresentsTheSvidAndAcceptsAServerOfItsTrustDomain() throws Exception {
        try (TestTlsServer server = TestTlsServer.start(ca.issue(REDIS, Duration.ofHours(1)), ca.bundle())) {
            assertThat(get(bundle().createSslContext(), server.port(), null)).isEqualTo(serialOf(agent.currentSvid()));
            assertThat(server.fullHandshakes()).isEqualTo(1);
        }
    }

    @Test
    void aBundleTakenBeforeARotationPresentsTheNewSvidOnTheNextConnection() throws Exception {
        SslBundle takenAtStartup = bundle();
        try (TestTlsServer server = TestTlsServer.start(ca.issue(REDIS, Duration.ofHours(1)), ca.bundle())) {
            assertThat(get(takenAtStartup.createSslContext(), server.port(), null))
                .isEqualTo(serialOf(agent.currentSvid()));
            TestSvid rotated = agent.rotate();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> get(takenAtStartup.createSslContext(), server.port(), null).equals(serialOf(rotated)));
        }
    }

    @Test
    void everyRotationUpdatesTheRegistryWithStoresHoldingTheNewSvid() throws Exception {
        List<SslBundle> updates = new CopyOnWriteArrayList<>();
        app.getBean(SslBundles.class).addBundleUpdateHandler("spiffe", updates::add);
        TestSvid rotated = agent.rotate();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> !updates.isEmpty() && leafOf(updates.get(updates.size() - 1)).equals(rotated.leaf()));
        assertThat(leafOf(bundle())).isEqualTo(rotated.leaf());
        KeyStore keyStore = bundle().getStores().getKeyStore();
        assertThat(keyStore.getKey(bundle().getKey().getAlias(), bundle().getKey().getPassword().toCharArray()))
            .isEqualTo(rotated.privateKey());
        assertThat(updates.get(updates.size() - 1).getManagers()).isSameAs(bundle().getManagers());
    }

    @Test
    void aTrustBundleChangeAloneUpdatesTheRegistryWithTheNewTrustStore() throws Exception {
        // A CA rotation as SPIRE does it: the next root joins the bundle before it signs anything.
        TestCertificateAuthority nextRoot = TestCertificateAuthority.create("example.org");
        List<SslBundle> updates = new CopyOnWriteArrayList<>();
        app.getBean(SslBundles.class).addBundleUpdateHandler("spiffe", updates::add);
        Object leaf = leafOf(bundle());
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(ca.certificate().getEncoded());
        both.write(nextRoot.certificate().getEncoded());
        try {
            agent.serveOwnBundle(both.toByteArray());
            await().atMost(Duration.ofSeconds(10))
                .until(() -> !updates.isEmpty() && trusted(updates.get(updates.size() - 1)).size() == 2);
            assertThat(trusted(bundle())).containsExactlyInAnyOrder(ca.certificate(), nextRoot.certificate());
            assertThat(leafOf(bundle())).as("the SVID did not change").isEqualTo(leaf);
        }
        finally {
            agent.serveOwnBundle(null);
            await().atMost(Duration.ofSeconds(10)).until(() -> trusted(bundle()).size() == 1);
        }
    }

    private static List<Object> trusted(SslBundle bundle) throws Exception {
        KeyStore trustStore = bundle.getStores().getTrustStore();
        return Collections.list(trustStore.aliases())
            .stream()
            .map(alias -> (Object) certificate(trustStore, alias))
            .toList();
    }

    @Test
    void everyRegistryTheRegistrarServedIsUpdated() {
        DefaultSslBundleRegistry second = new DefaultSslBundleRegistry();
        app.getBean(SpiffeSslBundleRegistrar.class).registerBundles(second);
        TestSvid rotated = agent.rotate();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> leafOf(second.getBundle("spiffe")).equals(rotated.leaf())
                    && leafOf(bundle()).equals(rotated.leaf()));
    }

    @Test
    void theTrustStoreHoldsOnlyTheOwnTrustDomainsAuthoritiesNotTheFederatedOnes() throws Exception {
        assertThat(trusted(bundle())).containsExactly(ca.certificate());
    }

    @Test
    void aServerWithAnIdOfAnotherTrustDomainIsRefused() {
        agent.federateWith(partner);
        try (TestTlsServer server = TestTlsServer.start(partner.issue("spiffe://partner.org/redis", Duration.ofHours(1)),
                ca.bundle())) {
            assertThatThrownBy(() -> get(bundle().createSslContext(), server.port(), null))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("unexpected SPIFFE ID");
        }
    }

    @Test
    void aServerWithoutASpiffeIdIsRefusedByDefault() {
        TestSvid dnsNamed = ca.issue(SvidSpec.withoutUri().dnsNames("localhost"));
        try (TestTlsServer server = TestTlsServer.start(dnsNamed, ca.bundle())) {
            assertThatThrownBy(() -> get(bundle().createSslContext(), server.port(), "HTTPS"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("without a valid SPIFFE ID");
            assertThat(server.handshakes()).isEmpty();
        }
    }

    @Test
    void expectedPeerIdsNarrowWhichServersAreAccepted() throws Exception {
        try (ConfigurableApplicationContext narrow = ClientApplication.start(
                "spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.ssl-bundle.expected-peer-ids[0]=" + REDIS);
                TestTlsServer redis = TestTlsServer.start(ca.issue(REDIS, Duration.ofHours(1)), ca.bundle());
                TestTlsServer other = TestTlsServer.start(ca.issue("spiffe://example.org/ns/data/sa/kafka",
                        Duration.ofHours(1)), ca.bundle())) {
            SslBundle bundle = narrow.getBean(SslBundles.class).getBundle("spiffe");
            assertThat(get(bundle.createSslContext(), redis.port(), null)).isEqualTo(serialOf(agent.currentSvid()));
            assertThatThrownBy(() -> get(bundle.createSslContext(), other.port(), null))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("expected " + REDIS)
                .hasMessageContaining("presented spiffe://example.org/ns/data/sa/kafka");
        }
    }

    @Test
    void withPkixOptInAServerWithoutSpiffeIdIsVerifiedAgainstTheOwnBundleAndItsHostName() throws Exception {
        List<SvidVerificationException> rejections = new CopyOnWriteArrayList<>();
        try (ConfigurableApplicationContext pkix = new SpringApplicationBuilder(ClientApplication.class)
            .initializers(context -> context.getBeanFactory()
                .registerSingleton("rejections", (PeerRejectionListener) rejections::add))
            .properties("spring.main.web-application-type=none", "spring.main.banner-mode=off",
                    "spiffe.workload-api.socket=" + agent.socketAddress(),
                    "spiffe.ssl-bundle.peer-verification=spiffe-id-or-pkix",
                    "spiffe.ssl-bundle.expected-peer-ids[0]=" + REDIS)
            .run();
                TestTlsServer ours = TestTlsServer.start(ca.issue(SvidSpec.withoutUri().dnsNames("localhost")),
                        ca.bundle());
                TestTlsServer wrongName = TestTlsServer.start(ca.issue(SvidSpec.withoutUri().dnsNames("db.example.org")),
                        ca.bundle());
                TestTlsServer partners = TestTlsServer.start(partner.issue(SvidSpec.withoutUri().dnsNames("localhost")),
                        ca.bundle());
                TestTlsServer unexpectedId = TestTlsServer.start(ca.issue("spiffe://example.org/ns/data/sa/kafka",
                        Duration.ofHours(1)), ca.bundle())) {
            SslBundle bundle = pkix.getBean(SslBundles.class).getBundle("spiffe");
            assertThat(get(bundle.createSslContext(), ours.port(), "HTTPS")).isEqualTo(serialOf(agent.currentSvid()));
            assertThatThrownBy(() -> get(bundle.createSslContext(), wrongName.port(), "HTTPS"))
                .as("the host name check the client asks for still applies")
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("a peer without a SPIFFE ID failed PKIX verification")
                .hasMessageContaining("No subject alternative DNS name matching localhost");
            assertThat(rejections).singleElement()
                .extracting(SvidVerificationException::getReason)
                .isEqualTo(SvidVerificationException.Reason.UNTRUSTED_CHAIN);
            assertThatThrownBy(() -> get(bundle.createSslContext(), partners.port(), "HTTPS"))
                .as("a federated domain's CA does not vouch for names")
                .isInstanceOf(SSLHandshakeException.class);
            assertThatThrownBy(() -> get(bundle.createSslContext(), unexpectedId.port(), "HTTPS"))
                .as("a peer with a SPIFFE ID is still held to the expected IDs")
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("unexpected SPIFFE ID");
        }
    }

    @Test
    void theBundleNameIsConfigurable() {
        try (ConfigurableApplicationContext named = ClientApplication.start(
                "spiffe.workload-api.socket=" + agent.socketAddress(), "spiffe.ssl-bundle.name=workload")) {
            SslBundles bundles = named.getBean(SslBundles.class);
            assertThat(bundles.getBundle("workload").getManagers()).isInstanceOf(SpiffeSslManagers.class);
            assertThatThrownBy(() -> bundles.getBundle("spiffe")).isInstanceOf(NoSuchSslBundleException.class);
        }
    }

    @Test
    void anInvalidExpectedPeerIdStopsStartupNamingTheProperty() {
        assertThatThrownBy(() -> ClientApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "spiffe.ssl-bundle.expected-peer-ids[0]=spiffe://example.org/a//b").close())
            .hasStackTraceContaining("spiffe.ssl-bundle.expected-peer-ids[0]");
    }

    @Test
    void tomcatConfiguredWithTheBundleRefusesToStartAndPointsToTheStartersServer() {
        assertThatThrownBy(() -> RunningApplication.start("spiffe.workload-api.socket=" + agent.socketAddress(),
                "server.ssl.bundle=spiffe", "server.ssl.client-auth=need").close())
            .hasStackTraceContaining("server.ssl.bundle=spiffe cannot serve the SPIFFE SVID on Tomcat")
            .hasStackTraceContaining("Remove server.ssl.bundle");
    }

    /** One GET on a new connection of {@code context}; the test server answers the client's serial. */
    static String get(SSLContext context, int port, String identification) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(10_000);
            if (identification != null) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm(identification);
                socket.setSSLParameters(parameters);
            }
            socket.startHandshake();
            socket.getOutputStream()
                .write("GET /client-serial HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            String response = readAll(socket.getInputStream());
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static String serialOf(TestSvid svid) {
        return svid.leaf().getSerialNumber().toString(16);
    }

    static X509Certificate leafOf(SslBundle bundle) throws Exception {
        return (X509Certificate) bundle.getStores().getKeyStore().getCertificate(bundle.getKey().getAlias());
    }

    private static X509Certificate certificate(KeyStore store, String alias) {
        try {
            return (X509Certificate) store.getCertificate(alias);
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
