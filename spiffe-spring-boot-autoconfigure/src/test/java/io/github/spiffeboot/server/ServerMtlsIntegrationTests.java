package io.github.spiffeboot.server;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.SvidVerificationException.Reason;
import io.github.spiffeboot.test.SpiffeTestClient;
import io.github.spiffeboot.test.SvidSpec;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestHttpConnection;
import io.github.spiffeboot.test.TestHttpResponse;
import io.github.spiffeboot.test.TestSvid;
import io.github.spiffeboot.test.TestWorkloadApi;
import io.github.spiffeboot.testapp.EchoApplication.RecordedRejections;
import io.github.spiffeboot.testapp.RunningApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Embedded Tomcat serving mTLS with the SVID from a real Workload API server, checked with real
 * handshakes over real sockets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class ServerMtlsIntegrationTests {

    static final String SERVER_ID = "spiffe://example.org/ns/production/sa/payment-service";

    static final String CLIENT_ID = "spiffe://example.org/ns/production/sa/order-service";

    private final TestCertificateAuthority partner = TestCertificateAuthority.create("partner.example");

    private final TestWorkloadApi agent = TestWorkloadApi.create("example.org");

    private RunningApplication app;

    private RecordedRejections rejections;

    @BeforeAll
    void startApplication() {
        agent.identity(SERVER_ID).federateWith(partner).start();
        app = launch("spiffe.workload-api.socket=" + agent.socketAddress());
        rejections = app.bean(RecordedRejections.class);
    }

    /** Starts the application under test; the reactive suite runs the same tests on Reactor Netty. */
    protected RunningApplication launch(String... properties) {
        return RunningApplication.start(properties);
    }

    @AfterAll
    void stopApplication() {
        app.close();
        agent.close();
    }

    @BeforeEach
    void forgetRejections() {
        rejections.clear();
    }

    @Test
    void servesTheCurrentSvidOverTls13AndSeesTheClientsId() throws IOException {
        try (TestHttpConnection connection = agent.client(CLIENT_ID).connect(app.port())) {
            assertThat(connection.protocol()).isEqualTo("TLSv1.3");
            assertThat(connection.serverCertificate()).isEqualTo(agent.currentSvid().leaf());
            assertThat(connection.get("/whoami").body()).isEqualTo(CLIENT_ID);
        }
    }

    @Test
    void rotatesWithoutRestartAndKeepsOldConnectionsWorking() throws IOException {
        SpiffeTestClient client = agent.client(CLIENT_ID);
        try (TestHttpConnection old = client.connect(app.port())) {
            BigInteger before = old.serverCertificate().getSerialNumber();
            assertThat(old.get("/whoami").status()).isEqualTo(200);

            TestSvid rotated = agent.rotate();
            assertThat(rotated.leaf().getSerialNumber()).isNotEqualTo(before);
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try (TestHttpConnection fresh = client.connect(app.port())) {
                    return fresh.serverCertificate().getSerialNumber().equals(rotated.leaf().getSerialNumber());
                }
            });

            assertThat(old.get("/whoami").body()).isEqualTo(CLIENT_ID);
            assertThat(old.serverCertificate().getSerialNumber()).isEqualTo(before);
        }
    }

    @Test
    void newConnectionsAreVerifiedAgainNotResumedPastTheClientsExpiry() throws Exception {
        // The same client context would resume its TLS session and skip certificate checks, if allowed.
        // 6 s of validity: enough for the first handshake on a loaded 2-core CI machine (3 s was not).
        SpiffeTestClient client = SpiffeTestClient.withSvid(
                agent.authority().issue(CLIENT_ID, Duration.ofSeconds(6)), agent.trustedAuthorities());
        try (TestHttpConnection connection = client.connect(app.port())) {
            assertThat(connection.get("/whoami").body()).isEqualTo(CLIENT_ID);
        }
        Thread.sleep(client.svid().leaf().getNotAfter().getTime() - System.currentTimeMillis() + 1500);
        assertThatThrownBy(() -> client.get(app.port(), "/whoami")).isInstanceOf(IOException.class);
        assertThat(rejections.all()).singleElement()
            .satisfies(rejection -> assertThat(rejection.getReason()).isEqualTo(Reason.UNTRUSTED_CHAIN));
    }

    /**
     * A TLS 1.3 server that sends nothing after the client's Finished leaves its acknowledgement to the
     * delayed-ACK timer, and clients with Nagle on wait ~40 ms before their first request. The server sends
     * a session ticket, as TLS 1.3 servers do, and still verifies every connection in full (see the tests
     * around this one: the client offers that ticket and the server refuses it).
     */
    @Test
    void aTls13ClientGetsASessionTicketRightAfterTheHandshakeYetEveryConnectionIsVerifiedInFull() throws Exception {
        SpiffeTestClient client = agent.client(CLIENT_ID);
        X509Certificate firstServerCertificate;
        try (TestHttpConnection connection = client.connect(app.port())) {
            assertThat(connection.protocol()).isEqualTo("TLSv1.3");
            assertThat(connection.get("/whoami").body()).isEqualTo(CLIENT_ID);
            firstServerCertificate = connection.serverCertificate();
        }
        assertThat(java.util.Collections.list(client.sslContext().getClientSessionContext().getIds()))
            .as("session tickets the client holds").isNotEmpty();
        TestSvid rotated = agent.rotate();
        Thread.sleep(1200);
        for (int i = 0; i < 3; i++) {
            try (TestHttpConnection connection = client.connect(app.port())) {
                // A resumed session would carry the certificate of the first handshake.
                assertThat(connection.serverCertificate()).isEqualTo(rotated.leaf()).isNotEqualTo(firstServerCertificate);
                assertThat(connection.get("/whoami").body()).isEqualTo(CLIENT_ID);
            }
        }
    }

    @Test
    void newConnectionsSeeTheRotatedSvidEvenFromAClientThatCouldResume() throws Exception {
        SpiffeTestClient client = agent.client(CLIENT_ID);
        try (TestHttpConnection connection = client.connect(app.port())) {
            assertThat(connection.get("/whoami").status()).isEqualTo(200);
        }
        TestSvid rotated = agent.rotate();
        Thread.sleep(1200);
        try (TestHttpConnection connection = client.connect(app.port())) {
            assertThat(connection.serverCertificate()).isEqualTo(rotated.leaf());
        }
    }

    @Test
    void keepsServingTheLastSvidWhileTheAgentRestarts() throws IOException {
        SpiffeTestClient client = agent.client(CLIENT_ID);
        TestSvid before = agent.currentSvid();
        agent.stop();
        try {
            for (int i = 0; i < 5; i++) {
                try (TestHttpConnection connection = client.connect(app.port())) {
                    assertThat(connection.serverCertificate()).isEqualTo(before.leaf());
                    assertThat(connection.get("/whoami").status()).isEqualTo(200);
                }
            }
        }
        finally {
            agent.start();
        }
        TestSvid after = agent.rotate();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (TestHttpConnection fresh = client.connect(app.port())) {
                return fresh.serverCertificate().equals(after.leaf());
            }
        });
    }

    @Test
    void acceptsAFederatedPeerSignedByItsOwnDomainsAuthority() throws IOException {
        String partnerId = "spiffe://partner.example/billing";
        SpiffeTestClient client = SpiffeTestClient.withSvid(partner.issue(partnerId, Duration.ofMinutes(5)),
                agent.trustedAuthorities());
        assertThat(client.get(app.port(), "/whoami").body()).isEqualTo(partnerId);
    }

    @Test
    void rejectsAClientWithoutCertificate() {
        assertThatThrownBy(() -> agent.anonymousClient().get(app.port(), "/whoami")).isInstanceOf(IOException.class);
    }

    @Test
    void rejectsAClientSignedByAForeignAuthority() {
        TestCertificateAuthority foreign = TestCertificateAuthority.create("example.org");
        assertRejected(foreign.issue(CLIENT_ID, Duration.ofMinutes(5)), Reason.UNTRUSTED_CHAIN, "does not verify");
    }

    @Test
    void rejectsAFederatedAuthorityMintingOurTrustDomainsIds() {
        assertRejected(partner.issue(CLIENT_ID, Duration.ofMinutes(5)), Reason.UNTRUSTED_CHAIN, "does not verify");
    }

    @Test
    void rejectsAClientSvidWithTwoUriSans() {
        assertRejected(agent.authority().issue(SvidSpec.forId(CLIENT_ID).addUri("spiffe://example.org/other")),
                Reason.INVALID_SVID, "more than one URI SAN");
    }

    @Test
    void rejectsAClientCertificateThatIsACa() {
        assertRejected(agent.authority().issue(SvidSpec.forId(CLIENT_ID).ca(true)), Reason.INVALID_SVID, "CA flag");
    }

    @Test
    void rejectsAnExpiredClientSvid() {
        Instant now = Instant.now();
        assertRejected(agent.authority().issue(SvidSpec.forId(CLIENT_ID).validity(now.minusSeconds(600),
                now.minusSeconds(5))), Reason.UNTRUSTED_CHAIN, "does not verify");
    }

    @Test
    void rejectsAClientCertificateWithANonSpiffeUri() {
        assertRejected(agent.authority().issue(SvidSpec.forId("https://example.org/order-service")),
                Reason.INVALID_SVID, "scheme is missing or invalid");
    }

    @Test
    void rejectsAClientCertificateWithoutUri() {
        assertRejected(agent.authority().issue(SvidSpec.withoutUri()), Reason.INVALID_SVID, "no URI SAN");
    }

    @Test
    void refusesTls12UnlessConfigured() {
        assertThatThrownBy(() -> agent.client(CLIENT_ID).protocols("TLSv1.2").get(app.port(), "/whoami"))
            .isInstanceOf(IOException.class);
    }

    private void assertRejected(TestSvid clientSvid, Reason reason, String message) {
        SpiffeTestClient client = SpiffeTestClient.withSvid(clientSvid, agent.trustedAuthorities());
        assertThatThrownBy(() -> client.get(app.port(), "/whoami")).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(2)).until(() -> !rejections.all().isEmpty());
        List<SvidVerificationException> seen = rejections.all();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).getReason()).isEqualTo(reason);
        assertThat(seen.get(0)).hasMessageContaining(message);
    }

    /**
     * One federated partner's bundle is malformed on the agent: everything else, the server's own rotation
     * and the other federated partners included, must keep working.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class AnotherFederatedBundleMalformed {

        private final TestCertificateAuthority broken = TestCertificateAuthority.create("broken.example");

        private final TestWorkloadApi brokenAgent = TestWorkloadApi.create("example.org");

        private RunningApplication brokenApp;

        private RecordedRejections brokenRejections;

        @BeforeAll
        void start() {
            brokenAgent.identity(SERVER_ID)
                .federateWith(partner)
                .serveFederatedBundle("spiffe://broken.example", new byte[] { 0x30, 0x03, 0x01, 0x02, 0x03 })
                .start();
            brokenApp = launch("spiffe.workload-api.socket=" + brokenAgent.socketAddress(),
                    "spiffe.workload-api.startup-timeout=5s");
            brokenRejections = brokenApp.bean(RecordedRejections.class);
        }

        @AfterAll
        void stop() {
            brokenApp.close();
            brokenAgent.close();
        }

        @BeforeEach
        void forgetRejections() {
            brokenRejections.clear();
        }

        @Test
        void acceptsAPeerOfAGoodFederatedDomain() throws IOException {
            String partnerId = "spiffe://partner.example/billing";
            SpiffeTestClient client = SpiffeTestClient.withSvid(partner.issue(partnerId, Duration.ofMinutes(5)),
                    brokenAgent.trustedAuthorities());
            try (TestHttpConnection connection = client.connect(brokenApp.port())) {
                assertThat(connection.serverCertificate()).isEqualTo(brokenAgent.currentSvid().leaf());
                assertThat(connection.get("/whoami").body()).isEqualTo(partnerId);
            }
        }

        @Test
        void rejectsAPeerOfTheDomainWhoseBundleIsMalformed() {
            SpiffeTestClient client = SpiffeTestClient.withSvid(
                    broken.issue("spiffe://broken.example/billing", Duration.ofMinutes(5)),
                    brokenAgent.trustedAuthorities());
            assertThatThrownBy(() -> client.get(brokenApp.port(), "/whoami")).isInstanceOf(IOException.class);
            await().atMost(Duration.ofSeconds(2)).until(() -> !brokenRejections.all().isEmpty());
            assertThat(brokenRejections.all()).singleElement().satisfies(rejection -> {
                assertThat(rejection.getReason()).isEqualTo(Reason.UNTRUSTED_CHAIN);
                assertThat(rejection).hasMessageContaining("no X.509 bundle for trust domain \"broken.example\"");
            });
        }

        @Test
        void rotatesItsOwnSvidAndStillAcceptsOwnAndPartnerPeers() throws IOException {
            TestSvid rotated = brokenAgent.rotate();
            SpiffeTestClient own = brokenAgent.client(CLIENT_ID);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try (TestHttpConnection fresh = own.connect(brokenApp.port())) {
                    return fresh.serverCertificate().equals(rotated.leaf());
                }
            });
            assertThat(own.get(brokenApp.port(), "/whoami").body()).isEqualTo(CLIENT_ID);
            String partnerId = "spiffe://partner.example/billing";
            SpiffeTestClient partnerClient = SpiffeTestClient
                .withSvid(partner.issue(partnerId, Duration.ofMinutes(5)), brokenAgent.trustedAuthorities());
            assertThat(partnerClient.get(brokenApp.port(), "/whoami").body()).isEqualTo(partnerId);
        }
    }

    /** Client auth 'want' and TLS 1.2 enabled by configuration. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WantClientAuthWithTls12 {

        private RunningApplication wantApp;

        @BeforeAll
        void start() {
            wantApp = launch("spiffe.workload-api.socket=" + agent.socketAddress(),
                    "spiffe.server.client-auth=want", "spiffe.server.tls-versions=TLSv1.2,TLSv1.3");
        }

        @AfterAll
        void stop() {
            wantApp.close();
        }

        @Test
        void letsAClientWithoutCertificateThroughTheHandshakeForAuthorizationToRefuse() throws IOException {
            TestHttpResponse response = agent.anonymousClient().get(wantApp.port(), "/whoami");
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.body()).contains("\"error\":\"unauthenticated\"");
        }

        @Test
        void stillVerifiesACertificateWhenOneIsSent() throws IOException {
            assertThat(agent.client(CLIENT_ID).get(wantApp.port(), "/whoami").body()).isEqualTo(CLIENT_ID);
            SpiffeTestClient forged = SpiffeTestClient.withSvid(partner.issue(CLIENT_ID, Duration.ofMinutes(5)),
                    agent.trustedAuthorities());
            assertThatThrownBy(() -> forged.get(wantApp.port(), "/whoami")).isInstanceOf(IOException.class);
        }

        @Test
        void speaksTls12WhenConfigured() throws IOException {
            try (TestHttpConnection connection = agent.client(CLIENT_ID).protocols("TLSv1.2").connect(wantApp.port())) {
                assertThat(connection.protocol()).isEqualTo("TLSv1.2");
                assertThat(connection.get("/whoami").body()).isEqualTo(CLIENT_ID);
            }
        }
    }
}
