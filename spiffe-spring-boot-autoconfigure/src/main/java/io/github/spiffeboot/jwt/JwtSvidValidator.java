package io.github.spiffeboot.jwt;

import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetAwareJWSKeySelector;
import io.github.spiffeboot.id.InvalidSpiffeIdException;
import io.github.spiffeboot.id.SpiffeId;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.MappedJwtClaimSetConverter;

/**
 * Verifies JWT-SVIDs presented to this service, as the JWT-SVID specification asks, with Nimbus JOSE
 * (parsing, signature) and Spring Security's JWT model (claims as a {@link Jwt}, checked by a token
 * validator). {@link #asJwtDecoder()} offers it as a Spring Security {@link JwtDecoder}; it is deliberately
 * not one itself, so that registering it as a bean never takes the place of an application's own decoder
 * (for its identity provider's tokens, say).
 * <ol>
 * <li>A token longer than the limit is refused before any parsing.</li>
 * <li>Only signed JWTs (no {@code alg: none}, no JWE) with an algorithm the specification allows (RS, ES
 * and PS with SHA-256/384/512), {@code typ} absent, {@code JWT} or {@code JOSE}, no {@code crit}, and a
 * {@code kid}.</li>
 * <li>The key is the {@code kid} in the JWT bundle of the trust domain of the token's own {@code sub}
 * only, so a trust domain can never sign for another; {@code sub} must be a workload's SPIFFE ID, and the
 * key must fit the algorithm.</li>
 * <li>{@code exp} required and not passed, {@code nbf} reached (both with the clock skew), {@code aud}
 * naming one of this service's audiences.</li>
 * </ol>
 * Keys come converted from the {@link JwtBundleSet} (parsed once per bundle change), so a validation costs
 * a parse of the token and one signature check.
 */
public final class JwtSvidValidator {

    /** The algorithms of the JWT-SVID specification; anything else (none, HS*, EdDSA) is refused. */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.PS256, JWSAlgorithm.PS384,
            JWSAlgorithm.PS512);

    private static final Map<JWSAlgorithm, Curve> CURVES = Map.of(JWSAlgorithm.ES256, Curve.P_256,
            JWSAlgorithm.ES384, Curve.P_384, JWSAlgorithm.ES512, Curve.P_521);

    private static final Set<JOSEObjectType> TYPES = java.util.Collections
        .unmodifiableSet(new java.util.HashSet<>(java.util.Arrays.asList(JOSEObjectType.JWT, JOSEObjectType.JOSE, null)));

    private final JwtBundleSource bundles;

    private final int maxTokenLength;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    private final Converter<Map<String, Object>, Map<String, Object>> claimsConverter = MappedJwtClaimSetConverter
        .withDefaults(Map.of());

    private final JwtSvidClaimsValidator claimsValidator;

    private final Duration clockSkew;

    private final Clock clock;

    private volatile Generation generation = new Generation(null, new ConcurrentHashMap<>());

    /** How many validated tokens one bundle version remembers. */
    static final int CACHED_TOKENS = 4096;

    /** The tokens validated against one bundle version, with the window in which each stays valid. */
    private record Generation(JwtBundleSet bundles, Map<String, Remembered> tokens) {
    }

    private record Remembered(ValidatedJwtSvid svid, long validFrom, long validUntil) {
    }

    /** Hands the bundle version chosen for a token to the key selector, so both use the same one. */
    private record Bundles(JwtBundleSet current) implements SecurityContext {
    }

    /**
     * @param audiences the audiences this service accepts; a token must name at least one
     * @param clockSkew how far {@code exp} and {@code nbf} may be off
     * @param maxTokenLength the longest token (in characters) even looked at
     */
    public JwtSvidValidator(JwtBundleSource bundles, Collection<String> audiences, Duration clockSkew,
            int maxTokenLength, Clock clock) {
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("a JWT-SVID validator needs at least one audience");
        }
        this.bundles = bundles;
        this.maxTokenLength = maxTokenLength;
        this.clockSkew = clockSkew;
        this.clock = clock;
        this.claimsValidator = new JwtSvidClaimsValidator(Set.copyOf(audiences), clockSkew, clock);
        this.processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(TYPES));
        this.processor.setJWTClaimsSetAwareJWSKeySelector(new BundleKeySelector());
        // Claims are checked afterwards by the Spring Security validator, with this service's rules only.
        this.processor.setJWTClaimsSetVerifier((claims, context) -> {
        });
    }

    /**
     * Verifies a token. A token that passed is remembered (up to {@value #CACHED_TOKENS}) for as long as the
     * bundles it was verified with are current, and checked only against the clock when it comes again (a
     * client sends the same token for minutes).
     * @throws JwtSvidRejectedException with the reason, if it is no valid JWT-SVID for this service
     */
    public ValidatedJwtSvid validate(String token) {
        if (token == null || token.isEmpty()) {
            throw new JwtSvidRejectedException(JwtSvidRejection.MALFORMED, "no token");
        }
        if (token.length() > maxTokenLength) {
            throw new JwtSvidRejectedException(JwtSvidRejection.TOO_LARGE,
                    "the token is longer than " + maxTokenLength + " characters");
        }
        JwtBundleSet current;
        try {
            current = bundles.current();
        }
        catch (IllegalStateException ex) {
            throw new JwtSvidRejectedException(JwtSvidRejection.NO_BUNDLES, "no JWT bundles yet");
        }
        Generation remembered = generationFor(current);
        long now = clock.millis();
        Remembered known = remembered.tokens().get(token);
        if (known != null && now >= known.validFrom() && now <= known.validUntil()) {
            return known.svid();
        }
        ValidatedJwtSvid validated = verify(token, current);
        if (remembered.tokens().size() < CACHED_TOKENS) {
            Jwt jwt = validated.jwt();
            long skew = clockSkew.toMillis();
            long validFrom = (jwt.getNotBefore() != null) ? jwt.getNotBefore().toEpochMilli() - skew : Long.MIN_VALUE;
            remembered.tokens().put(token, new Remembered(validated, validFrom, jwt.getExpiresAt().toEpochMilli() + skew));
        }
        return validated;
    }

    private Generation generationFor(JwtBundleSet current) {
        Generation remembered = generation;
        // A new bundle version (a key added or retired) or a full cache starts afresh; racing threads may
        // both do so, and the loser's tokens are merely not remembered.
        if (remembered.bundles() != current || remembered.tokens().size() >= CACHED_TOKENS) {
            remembered = new Generation(current, new ConcurrentHashMap<>());
            generation = remembered;
        }
        return remembered;
    }

    private ValidatedJwtSvid verify(String token, JwtBundleSet current) {
        try {
            return verifyChecked(token, current);
        }
        catch (JwtSvidRejectedException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            // Whatever else a hostile token provokes in the libraries is a refusal, never a 500.
            throw new JwtSvidRejectedException(JwtSvidRejection.MALFORMED,
                    "unreadable token (" + ex.getClass().getSimpleName() + ")");
        }
    }

    private ValidatedJwtSvid verifyChecked(String token, JwtBundleSet current) {
        SignedJWT signed = parse(token);
        checkHeader(signed.getHeader());
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, new Bundles(current));
        }
        catch (Refused ex) {
            throw new JwtSvidRejectedException(ex.reason, ex.getMessage());
        }
        catch (BadJWSException ex) {
            throw new JwtSvidRejectedException(JwtSvidRejection.INVALID_SIGNATURE, "the signature does not verify");
        }
        catch (BadJOSEException ex) {
            throw new JwtSvidRejectedException(JwtSvidRejection.MALFORMED, ex.getMessage());
        }
        catch (JOSEException ex) {
            throw new JwtSvidRejectedException(JwtSvidRejection.INVALID_SIGNATURE, ex.getMessage());
        }
        Jwt jwt = toJwt(token, signed.getHeader(), claims);
        OAuth2TokenValidatorResult result = claimsValidator.validate(jwt);
        if (result.hasErrors()) {
            OAuth2Error error = result.getErrors().iterator().next();
            throw new JwtSvidRejectedException(JwtSvidRejection.valueOf(error.getErrorCode()), error.getDescription());
        }
        // sub was parsed by the key selector already; parsing again is cheaper than threading it through.
        return new ValidatedJwtSvid(SpiffeId.parse(claims.getSubject()), jwt);
    }

    /** This validator as a Spring Security {@link JwtDecoder}, throwing {@link JwtSvidRejectedException}. */
    public JwtDecoder asJwtDecoder() {
        return token -> validate(token).jwt();
    }

    private static SignedJWT parse(String token) {
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        }
        catch (ParseException | RuntimeException ex) {
            throw new JwtSvidRejectedException(JwtSvidRejection.MALFORMED, "not a JWT");
        }
        if (parsed instanceof PlainJWT) {
            throw new JwtSvidRejectedException(JwtSvidRejection.ALGORITHM, "an unsigned token (alg none)");
        }
        if (parsed instanceof EncryptedJWT) {
            throw new JwtSvidRejectedException(JwtSvidRejection.ENCRYPTED, "an encrypted token (JWE)");
        }
        return (SignedJWT) parsed;
    }

    private static void checkHeader(JWSHeader header) {
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            throw new JwtSvidRejectedException(JwtSvidRejection.ALGORITHM, "alg " + header.getAlgorithm() + " is not allowed");
        }
        if (!TYPES.contains(header.getType())) {
            throw new JwtSvidRejectedException(JwtSvidRejection.TYPE, "typ " + header.getType() + " is not allowed");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw new JwtSvidRejectedException(JwtSvidRejection.CRITICAL_HEADER, "crit " + header.getCriticalParams());
        }
        if (header.getKeyID() == null || header.getKeyID().isEmpty()) {
            throw new JwtSvidRejectedException(JwtSvidRejection.MISSING_KEY_ID, "no kid");
        }
    }

    private Jwt toJwt(String token, JWSHeader header, JWTClaimsSet claims) {
        Map<String, Object> converted;
        try {
            converted = claimsConverter.convert(claims.getClaims());
        }
        catch (RuntimeException ex) {
            throw new JwtSvidRejectedException(JwtSvidRejection.MALFORMED, "claims of unexpected types");
        }
        return Jwt.withTokenValue(token)
            .headers(headers -> headers.putAll(header.toJSONObject()))
            .claims(values -> values.putAll(converted))
            .build();
    }

    /** Picks the key by kid in the bundle of the trust domain of the token's own sub. */
    private final class BundleKeySelector implements JWTClaimsSetAwareJWSKeySelector<SecurityContext> {

        @Override
        public List<? extends Key> selectKeys(JWSHeader header, JWTClaimsSet claims, SecurityContext context)
                throws KeySourceException {
            SpiffeId subject;
            try {
                subject = SpiffeId.parse(claims.getSubject());
            }
            catch (InvalidSpiffeIdException ex) {
                throw new Refused(JwtSvidRejection.INVALID_SUBJECT, "sub is not a SPIFFE ID");
            }
            if (subject.isRoot()) {
                throw new Refused(JwtSvidRejection.INVALID_SUBJECT, "sub is a trust domain, not a workload");
            }
            JwtBundle bundle = ((Bundles) context).current().forTrustDomain(subject.trustDomain());
            if (bundle == null) {
                throw new Refused(JwtSvidRejection.UNKNOWN_TRUST_DOMAIN, "no JWT bundle for trust domain "
                        + subject.trustDomain());
            }
            PublicKey key = bundle.key(header.getKeyID());
            if (key == null) {
                throw new Refused(JwtSvidRejection.UNKNOWN_KEY, "no key " + header.getKeyID() + " in the JWT bundle of "
                        + subject.trustDomain());
            }
            if (!fits(header.getAlgorithm(), key)) {
                throw new Refused(JwtSvidRejection.KEY_MISMATCH, "key " + header.getKeyID() + " does not fit alg "
                        + header.getAlgorithm());
            }
            return List.of(key);
        }

        private boolean fits(JWSAlgorithm algorithm, PublicKey key) {
            if (JWSAlgorithm.Family.RSA.contains(algorithm)) {
                return key instanceof RSAPublicKey;
            }
            Curve curve = CURVES.get(algorithm);
            return curve != null && key instanceof ECPublicKey ec
                    && curve.equals(Curve.forECParameterSpec(ec.getParams()));
        }
    }

    /** A refusal from the key selector, carried through Nimbus's processor. */
    private static final class Refused extends KeySourceException {

        private final transient JwtSvidRejection reason;

        Refused(JwtSvidRejection reason, String message) {
            super(message);
            this.reason = reason;
        }
    }
}
