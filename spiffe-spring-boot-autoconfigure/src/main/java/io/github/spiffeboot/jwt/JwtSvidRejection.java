package io.github.spiffeboot.jwt;

/**
 * Why a bearer token was refused: a bounded set, fit for metric tags and audit lines.
 */
public enum JwtSvidRejection {

    /** Longer than the configured limit; refused before any parsing. */
    TOO_LARGE,
    /** Not a JWT in compact form (bad base64, bad JSON, wrong number of parts). */
    MALFORMED,
    /** An encrypted token (JWE): JWT-SVIDs are signed, never encrypted. */
    ENCRYPTED,
    /** {@code alg} is none, symmetric, or any other the JWT-SVID specification does not allow. */
    ALGORITHM,
    /** {@code typ} is neither absent, {@code JWT} nor {@code JOSE}. */
    TYPE,
    /** A {@code crit} header: no extension is understood, so none may be required. */
    CRITICAL_HEADER,
    /** No {@code kid} header. */
    MISSING_KEY_ID,
    /** {@code sub} missing or not a SPIFFE ID of a workload. */
    INVALID_SUBJECT,
    /** No JWT bundle for the trust domain of {@code sub}. */
    UNKNOWN_TRUST_DOMAIN,
    /** No key with this {@code kid} in the bundle of the trust domain of {@code sub}. */
    UNKNOWN_KEY,
    /** The key of that {@code kid} does not fit {@code alg} (an EC key for RS256, a P-256 key for ES384). */
    KEY_MISMATCH,
    /** The signature does not verify. */
    INVALID_SIGNATURE,
    /** No {@code exp}. */
    MISSING_EXPIRY,
    /** {@code exp} has passed (beyond the allowed clock skew). */
    EXPIRED,
    /** {@code nbf} is still ahead (beyond the allowed clock skew). */
    NOT_YET_VALID,
    /** No {@code aud}. */
    MISSING_AUDIENCE,
    /** {@code aud} names none of this service's audiences. */
    AUDIENCE,
    /** No JWT bundles have been received yet. */
    NO_BUNDLES,
    /** A trusted proxy's request (or any request, for a JWT-only service) carries no bearer token. */
    MISSING
}
