package io.github.spiffeboot.source;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.github.spiffeboot.id.InvalidSpiffeIdException;
import io.github.spiffeboot.id.TrustDomain;
import io.github.spiffeboot.svid.X509BundleSet;
import io.github.spiffeboot.svid.X509Svid;
import io.github.spiffeboot.svid.X509SvidParser;
import io.spiffe.workloadapi.grpc.Workload.X509SVID;
import io.spiffe.workloadapi.grpc.Workload.X509SVIDResponse;

/** Decodes a Workload API {@code X509SVIDResponse} into a checked {@link X509Context}. */
final class X509ContextDecoder {

    private X509ContextDecoder() {
    }

    static X509Context decode(X509SVIDResponse response) throws GeneralSecurityException {
        if (response.getSvidsCount() == 0) {
            throw new GeneralSecurityException("the response carries no X.509-SVID");
        }
        // The first SVID is the default one (SPIFFE Workload API specification).
        X509SVID first = response.getSvids(0);
        X509Svid svid = X509SvidParser.parse(first.getSpiffeId(), bytes(first.getX509Svid()),
                bytes(first.getX509SvidKey()));
        Map<TrustDomain, List<X509Certificate>> bundles = new LinkedHashMap<>();
        bundles.put(svid.id().trustDomain(), authorities(svid.id().trustDomain().name(), first.getBundle()));
        for (Map.Entry<String, ByteString> federated : response.getFederatedBundlesMap().entrySet()) {
            TrustDomain trustDomain;
            try {
                trustDomain = TrustDomain.parse(federated.getKey());
            }
            catch (InvalidSpiffeIdException ex) {
                throw new GeneralSecurityException(
                        "federated bundle key '" + federated.getKey() + "' is not a trust domain: " + ex.getReason());
            }
            // Our own domain's authorities come only with our own SVID; a federated entry cannot add to them.
            bundles.putIfAbsent(trustDomain, authorities(federated.getKey(), federated.getValue()));
        }
        return new X509Context(svid, new X509BundleSet(bundles));
    }

    private static List<X509Certificate> authorities(String trustDomain, ByteString der) throws GeneralSecurityException {
        List<X509Certificate> certificates = X509SvidParser.parseCertificates(bytes(der));
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("the bundle of " + trustDomain + " is empty");
        }
        return certificates;
    }

    private static byte[] bytes(ByteString value) {
        return value == null ? new byte[0] : value.toByteArray();
    }
}
