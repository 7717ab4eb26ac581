package io.github.spiffeboot.grpc;

import java.util.Objects;
import java.util.concurrent.Executor;

import io.github.spiffeboot.jwt.JwtSvids;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Sends this workload's JWT-SVID for one audience as {@code authorization: Bearer} metadata on every call of
 * a channel, the gRPC counterpart of the HTTP clients' JWT-SVID interceptors. The token is cached and renewed
 * by {@link JwtSvids}; a call that finds none at hand asks for it on the application executor, never on a
 * transport thread. A call without a token fails {@code UNAUTHENTICATED} before it is sent, rather than going
 * out without the credential its server expects.
 */
final class JwtSvidCallCredentials extends CallCredentials {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private final JwtSvids svids;

    private final String audience;

    JwtSvidCallCredentials(JwtSvids svids, String audience) {
        this.svids = Objects.requireNonNull(svids, "svids");
        this.audience = Objects.requireNonNull(audience, "audience");
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        String token = svids.tokenIfFresh(audience);
        if (token != null) {
            applier.apply(bearer(token));
            return;
        }
        appExecutor.execute(() -> {
            try {
                applier.apply(bearer(svids.token(audience)));
            }
            catch (RuntimeException ex) {
                applier.fail(Status.UNAUTHENTICATED
                    .withDescription("no JWT-SVID for audience " + audience + ": " + ex.getMessage())
                    .withCause(ex));
            }
        });
    }

    private static Metadata bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return headers;
    }
}
