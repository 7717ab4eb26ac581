package io.github.spiffeboot.jwt;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.github.spiffeboot.id.InvalidSpiffeIdException;
import io.github.spiffeboot.id.TrustDomain;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Turns a {@code FetchJWTBundles} answer (trust domain to JWK set JSON) into a {@link JwtBundleSet}, with
 * Nimbus JOSE's JWK parser. Only public RSA and EC keys with a key ID that are meant for JWT-SVIDs
 * ({@code use} absent or {@code jwt-svid}) are kept: a symmetric key, or a key for X.509-SVIDs, never
 * verifies a token. A trust domain whose set cannot be read is left out (its tokens are refused) and
 * named in the log; the others still apply.
 */
final class JwtBundlesDecoder {

    private static final Log logger = LogFactory.getLog(JwtBundlesDecoder.class);

    private JwtBundlesDecoder() {
    }

    static JwtBundleSet decode(Map<String, ByteString> response, Instant receivedAt) {
        Map<TrustDomain, JwtBundle> bundles = new LinkedHashMap<>();
        response.forEach((name, json) -> {
            try {
                TrustDomain trustDomain = TrustDomain.parse(name);
                bundles.put(trustDomain, new JwtBundle(trustDomain, keys(trustDomain, json)));
            }
            catch (InvalidSpiffeIdException | ParseException ex) {
                logger.warn("Dropped the JWT bundle \"" + printable(name) + "\" sent by the Workload API: "
                        + ex.getMessage() + "; its tokens are refused until a usable bundle arrives");
            }
        });
        return new JwtBundleSet(bundles, receivedAt);
    }

    private static Map<String, PublicKey> keys(TrustDomain trustDomain, ByteString json) throws ParseException {
        List<JWK> jwks = JWKSet.parse(json.toString(StandardCharsets.UTF_8)).getKeys();
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (JWK jwk : jwks) {
            String skipped = skipReason(jwk);
            if (skipped == null) {
                try {
                    keys.put(jwk.getKeyID(), (jwk instanceof RSAKey rsa) ? rsa.toRSAPublicKey()
                            : ((ECKey) jwk).toECPublicKey());
                    continue;
                }
                catch (JOSEException ex) {
                    skipped = "unusable key: " + ex.getMessage();
                }
            }
            logger.warn("Ignoring a key in the JWT bundle of " + trustDomain + " (" + skipped + ")");
        }
        return keys;
    }

    private static String skipReason(JWK jwk) {
        if (jwk.getKeyID() == null || jwk.getKeyID().isEmpty()) {
            return "no kid";
        }
        if (jwk.isPrivate()) {
            return "a private key has no place in a bundle";
        }
        if (!(jwk instanceof RSAKey) && !(jwk instanceof ECKey)) {
            return "key type " + jwk.getKeyType() + " cannot verify JWT-SVIDs";
        }
        if (jwk.getKeyUse() != null && !"jwt-svid".equals(jwk.getKeyUse().getValue())) {
            return "use " + jwk.getKeyUse().getValue();
        }
        return null;
    }

    private static String printable(String value) {
        return value.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
