package io.github.spiffeboot.security;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.github.spiffeboot.id.SpiffeId;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.source.X509Context;
import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.svid.SvidVerificationException;
import io.github.spiffeboot.svid.X509BundleSet;
import io.github.spiffeboot.svid.X509Svid;
import io.github.spiffeboot.svid.X509SvidVerifier;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestSvid;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-chain verification cache of the authentication filter, with real certificates and verification. */
class VerifiedCallersTests {

    static final String ORDER = "spiffe://example.org/ns/production/sa/order-service";

    final TestCertificateAuthority ca = TestCertificateAuthority.create("example.org");

    final TestCertificateAuthority otherCa = TestCertificateAuthority.create("example.org");

    final SwitchableSource source = new SwitchableSource(context(ca));

    final AtomicInteger verifications = new AtomicInteger();

    final X509SvidVerifier verifier = new X509SvidVerifier();

    @Test
    void aChainIsVerifiedOncePerBundleSet() throws Exception {
        VerifiedCallers callers = new VerifiedCallers(source, this::countingVerify, new SpiffeAuthorities(Map.of()),
                Clock.systemUTC());
        X509Certificate[] chain = ca.issue(ORDER, Duration.ofHours(1)).chainArray();
        assertThat(callers.verify(chain).id()).hasToString(ORDER);
        assertThat(callers.verify(chain.clone()).id()).hasToString(ORDER);
        assertThat(verifications).hasValue(1);
        source.set(context(ca));
        assertThat(callers.verify(chain).id()).hasToString(ORDER);
        assertThat(verifications).hasValue(2);
    }

    @Test
    void aVerificationThatRacesWithABundleChangeLeavesNoStaleResultBehind() throws Exception {
        CountDownLatch verifying = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        VerifiedCallers callers = new VerifiedCallers(source, (chain, bundles) -> {
            SpiffeId id = countingVerify(chain, bundles);
            if (verifications.get() == 1) {
                verifying.countDown();
                await(release);
            }
            return id;
        }, new SpiffeAuthorities(Map.of()), Clock.systemUTC());
        X509Certificate[] chain = ca.issue(ORDER, Duration.ofHours(1)).chainArray();

        CompletableFuture<VerifiedCallers.Caller> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return callers.verify(chain);
            }
            catch (SvidVerificationException ex) {
                throw new IllegalStateException(ex);
            }
        });
        assertThat(verifying.await(10, TimeUnit.SECONDS)).isTrue();
        // The caller's CA leaves the bundle while its verification (with the old bundle) is under way.
        source.set(context(otherCa));
        assertThatThrownBy(() -> callers.verify(chain)).isInstanceOf(SvidVerificationException.class);
        release.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS).id()).hasToString(ORDER);

        assertThatThrownBy(() -> callers.verify(chain)).isInstanceOf(SvidVerificationException.class);
    }

    @Test
    void aHitChecksTheExpiryOfEveryCertificateInTheChainNotOnlyTheLeaf() throws Exception {
        Clock[] now = { Clock.systemUTC() };
        VerifiedCallers callers = new VerifiedCallers(source, this::countingVerify, new SpiffeAuthorities(Map.of()),
                new Clock() {
                    @Override
                    public java.time.ZoneId getZone() {
                        return now[0].getZone();
                    }

                    @Override
                    public Clock withZone(java.time.ZoneId zone) {
                        return this;
                    }

                    @Override
                    public java.time.Instant instant() {
                        return now[0].instant();
                    }
                });
        java.time.Instant intermediateExpiry = java.time.Instant.now().plus(Duration.ofMinutes(5));
        TestSvid svid = ca.intermediate(intermediateExpiry).issue(ORDER, Duration.ofHours(1));
        assertThat(callers.verify(svid.chainArray()).validUntil()).isEqualTo(svid.chain().get(1).getNotAfter().getTime());
        assertThat(verifications).hasValue(1);
        // Past the intermediate's expiry (the leaf is still valid): the cached result is not used.
        now[0] = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(6));
        callers.verify(svid.chainArray()).id();
        assertThat(verifications).hasValue(2);
    }

    private SpiffeId countingVerify(X509Certificate[] chain, X509BundleSet bundles) throws SvidVerificationException {
        verifications.incrementAndGet();
        return verifier.verify(chain, bundles);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static X509Context context(TestCertificateAuthority authority) {
        TestSvid own = authority.issue("spiffe://example.org/ns/production/sa/payment-service", Duration.ofHours(1));
        return new X509Context(new X509Svid(SpiffeId.parse(own.spiffeId().toString()), own.chain(), own.privateKey()),
                new X509BundleSet(Map.of(TrustDomain.parse("example.org"), authority.bundle())));
    }

    /** An application-defined source (the interface is public for that), switched by the test. */
    static final class SwitchableSource implements X509ContextSource {

        private volatile X509Context current;

        SwitchableSource(X509Context initial) {
            this.current = initial;
        }

        void set(X509Context context) {
            this.current = context;
        }

        @Override
        public X509Context current() {
            return current;
        }

        @Override
        public void addListener(Consumer<X509Context> listener) {
        }
    }
}
