package io.github.spiffeboot.benchmarks;

import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.jwt.JwtBundle;
import io.github.spiffeboot.jwt.JwtBundleSet;
import io.github.spiffeboot.jwt.JwtBundleSource;
import io.github.spiffeboot.jwt.JwtSvidValidator;
import io.github.spiffeboot.test.TestCertificateAuthority;
import io.github.spiffeboot.test.TestJwtAuthority;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The cost of validating one JWT-SVID (ES256, SPIRE's default), in the three situations a service meets:
 * a token seen for the first time (parse, key lookup in the sub's trust domain, signature, claims), the
 * same token again (a client reuses its token for minutes: a cache lookup and a clock check), and, for
 * scale, what parsing the JWT bundle would add to each request if keys were not kept per bundle version.
 * Baseline: Spring Security's own {@link NimbusJwtDecoder} with the same key and algorithm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JwtSvidValidationBenchmark {

    private static final String AUDIENCE = "spiffe://example.org/ns/production/sa/payment-service";

    private String token;

    private String bundleJson;

    private JwtSvidValidator coldValidator;

    private JwtSvidValidator warmValidator;

    private NimbusJwtDecoder springDecoder;

    private byte[] signingInput;

    private byte[] derSignature;

    private java.security.PublicKey publicKey;

    @Setup
    public void setUp() throws Exception {
        TestJwtAuthority authority = TestCertificateAuthority.create("example.org").jwt();
        token = authority.issue("spiffe://example.org/ns/production/sa/order-service", Duration.ofHours(1), AUDIENCE);
        bundleJson = authority.bundleJson();
        JwtBundleSet bundles = bundleSet(bundleJson);
        // A new bundle version on every call: the validator can remember nothing, as for a token never seen.
        coldValidator = new JwtSvidValidator(new Fresh(bundles), List.of(AUDIENCE), Duration.ofSeconds(30), 8192,
                Clock.systemUTC());
        warmValidator = new JwtSvidValidator(new Fixed(bundles), List.of(AUDIENCE), Duration.ofSeconds(30), 8192,
                Clock.systemUTC());
        // Spring's key selector only takes keys without 'use' or with 'use: sig'; SPIFFE bundles say 'jwt-svid'.
        List<JWK> signingKeys = JWKSet.parse(bundleJson)
            .getKeys()
            .stream()
            .map(jwk -> (JWK) new ECKey.Builder((ECKey) jwk).keyUse(null).build())
            .toList();
        springDecoder = NimbusJwtDecoder.withJwkSource(new ImmutableJWKSet<>(new JWKSet(signingKeys)))
            .jwsAlgorithm(SignatureAlgorithm.ES256)
            .build();
        com.nimbusds.jwt.SignedJWT parsed = com.nimbusds.jwt.SignedJWT.parse(token);
        signingInput = parsed.getSigningInput();
        derSignature = com.nimbusds.jose.crypto.impl.ECDSA.transcodeSignatureToDER(parsed.getSignature().decode());
        publicKey = authority.signingKey().toECPublicKey();
        if (!jdkEcdsaVerify()) {
            throw new IllegalStateException("the raw signature must verify");
        }
        if (!coldValidator.validate(token).id().equals(warmValidator.validate(token).id())
                || springDecoder.decode(token).getSubject() == null) {
            throw new IllegalStateException("every variant must accept the benchmark token");
        }
    }

    /** A token seen for the first time: everything the JWT-SVID rules ask. */
    @Benchmark
    public Object firstSight() {
        return coldValidator.validate(token);
    }

    /** The same token again, within its lifetime and the same bundle version. */
    @Benchmark
    public Object seenBefore() {
        return warmValidator.validate(token);
    }

    /** Baseline: Spring Security's NimbusJwtDecoder, one fixed key set, its default checks. */
    @Benchmark
    public Jwt springNimbusDecoder() {
        return springDecoder.decode(token);
    }

    /** The floor: the JDK's ECDSA P-256 verification of the token's signature alone. */
    @Benchmark
    public boolean jdkEcdsaVerify() throws Exception {
        java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(signingInput);
        return verifier.verify(derSignature);
    }

    /** What keeping keys per bundle version saves each request: parsing the JWK set and converting its keys. */
    @Benchmark
    public Object bundleParse() throws Exception {
        return bundleSet(bundleJson);
    }

    private static JwtBundleSet bundleSet(String json) throws Exception {
        Map<String, PublicKey> keys = new java.util.HashMap<>();
        for (JWK jwk : JWKSet.parse(json).getKeys()) {
            keys.put(jwk.getKeyID(), ((ECKey) jwk).toECPublicKey());
        }
        TrustDomain trustDomain = new TrustDomain("example.org");
        return new JwtBundleSet(Map.of(trustDomain, new JwtBundle(trustDomain, keys)), Instant.now());
    }

    private record Fixed(JwtBundleSet bundles) implements JwtBundleSource {

        @Override
        public JwtBundleSet current() {
            return bundles;
        }

        @Override
        public void addListener(Consumer<JwtBundleSet> listener) {
        }
    }

    private record Fresh(JwtBundleSet bundles) implements JwtBundleSource {

        @Override
        public JwtBundleSet current() {
            return new JwtBundleSet(bundles.bundles(), bundles.receivedAt());
        }

        @Override
        public void addListener(Consumer<JwtBundleSet> listener) {
        }
    }
}
