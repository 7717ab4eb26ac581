package io.github.spiffeboot.source;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.github.spiffeboot.id.InvalidSpiffeIdException;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.source.RejectedFederatedBundle.Reason;
import io.github.spiffeboot.svid.X509BundleSet;
import io.github.spiffeboot.svid.X509Svid;
import io.github.spiffeboot.svid.X509SvidParser;
import io.spiffe.workloadapi.grpc.Workload.X509SVID;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDResponse;

/**
 * Decodes a Workload API {@code X509SVIDResponse} into a checked {@link X509Context}.
 * <p>
 * What this workload depends on, its own SVID and its own trust domain's bundle, must be valid or the
 * whole response is rejected. Federated bundles come from partners outside its control, so an unusable
 * one is dropped alone and reported; it can neither block the workload's own rotation nor touch its own
 * trust domain's authorities.
 */
final class X509ContextDecoder {

    /** Trust domain names are at most 255 characters; anything longer in a log line is noise. */
    private static final int MAX_NAME_IN_LOG = 300;

    /**
     * A decoded response.
     *
     * @param context what to serve from now on
     * @param rejected the federated bundles left out of it
     */
    record Decoded(X509Context context, List<RejectedFederatedBundle> rejected) {
    }

    private X509ContextDecoder() {
    }

    /** @throws GeneralSecurityException if this workload's own SVID or bundle is unusable */
    static Decoded decode(X509SVIDResponse response) throws GeneralSecurityException {
        if (response.getSvidsCount() == 0) {
            throw new GeneralSecurityException("the response carries no X.509-SVID");
        }
        // The first SVID is the default one (SPIFFE Workload API specification).
        X509SVID first = response.getSvids(0);
        X509Svid svid = X509SvidParser.parse(first.getSpiffeId(), bytes(first.getX509Svid()),
                bytes(first.getX509SvidKey()));
        TrustDomain own = svid.id().trustDomain();
        Map<TrustDomain, List<X509Certificate>> bundles = new LinkedHashMap<>();
        bundles.put(own, ownAuthorities(own, first.getBundle()));
        List<RejectedFederatedBundle> rejected = new ArrayList<>();
        federatedByTrustDomain(response, own, rejected)
            .forEach((trustDomain, entries) -> addFederated(trustDomain, entries, bundles, rejected));
        return new Decoded(new X509Context(svid, new X509BundleSet(bundles)), List.copyOf(rejected));
    }

    /** Adds one federated trust domain's bundle to {@code bundles}, or says in {@code rejected} why not. */
    private static void addFederated(TrustDomain trustDomain, List<Map.Entry<String, ByteString>> entries,
            Map<TrustDomain, List<X509Certificate>> bundles, List<RejectedFederatedBundle> rejected) {
        if (entries.size() > 1) {
            for (Map.Entry<String, ByteString> entry : entries) {
                rejected.add(rejection(entry.getKey(), Reason.DUPLICATE_TRUST_DOMAIN,
                        entries.size() + " federated bundles name trust domain " + trustDomain + "; none is taken"));
            }
            return;
        }
        Map.Entry<String, ByteString> entry = entries.get(0);
        try {
            List<X509Certificate> authorities = X509SvidParser.parseCertificates(bytes(entry.getValue()));
            if (authorities.isEmpty()) {
                rejected.add(rejection(entry.getKey(), Reason.EMPTY, "the bundle holds no certificate"));
            }
            else {
                bundles.put(trustDomain, authorities);
            }
        }
        catch (GeneralSecurityException ex) {
            rejected.add(rejection(entry.getKey(), Reason.MALFORMED, String.valueOf(ex.getMessage())));
        }
    }

    /**
     * Groups the federated entries by the trust domain they name, so that two spellings of one domain
     * ({@code spiffe://td} and {@code td}) are seen as a conflict instead of one silently winning. Entries
     * that name no trust domain, or this workload's own, are rejected here.
     */
    private static Map<TrustDomain, List<Map.Entry<String, ByteString>>> federatedByTrustDomain(
            X509SVIDResponse response, TrustDomain own, List<RejectedFederatedBundle> rejected) {
        Map<TrustDomain, List<Map.Entry<String, ByteString>>> byTrustDomain = new LinkedHashMap<>();
        for (Map.Entry<String, ByteString> entry : response.getFederatedBundlesMap().entrySet()) {
            TrustDomain trustDomain;
            try {
                trustDomain = TrustDomain.parse(entry.getKey());
            }
            catch (InvalidSpiffeIdException ex) {
                rejected.add(rejection(entry.getKey(), Reason.INVALID_TRUST_DOMAIN,
                        "not a trust domain: " + ex.getReason()));
                continue;
            }
            if (trustDomain.equals(own)) {
                // Our own domain's authorities come only with our own SVID; a federated entry cannot add to them.
                rejected.add(rejection(entry.getKey(), Reason.OWN_TRUST_DOMAIN,
                        "names this workload's own trust domain, whose bundle comes only with its SVID"));
                continue;
            }
            byTrustDomain.computeIfAbsent(trustDomain, td -> new ArrayList<>()).add(entry);
        }
        return byTrustDomain;
    }

    private static List<X509Certificate> ownAuthorities(TrustDomain own, ByteString der)
            throws GeneralSecurityException {
        List<X509Certificate> certificates;
        try {
            certificates = X509SvidParser.parseCertificates(bytes(der));
        }
        catch (GeneralSecurityException ex) {
            throw new GeneralSecurityException("the bundle of " + own + " is malformed: " + ex.getMessage(), ex);
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("the bundle of " + own + " is empty");
        }
        return certificates;
    }

    private static RejectedFederatedBundle rejection(String key, Reason reason, String detail) {
        return new RejectedFederatedBundle(printable(key), reason, detail);
    }

    /**
     * The key is whatever the agent sent: keep it from forging or flooding log lines. Trust domain names
     * are printable ASCII, so escaping everything else loses nothing of a valid one.
     */
    private static String printable(String key) {
        StringBuilder text = new StringBuilder();
        int i = 0;
        for (; i < key.length() && text.length() < MAX_NAME_IN_LOG; i++) {
            char c = key.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                text.append(c);
            }
            else {
                text.append(String.format("\\u%04x", (int) c));
            }
        }
        return (i < key.length()) ? text.append("...").toString() : text.toString();
    }

    private static byte[] bytes(ByteString value) {
        return value == null ? new byte[0] : value.toByteArray();
    }
}
