package io.github.spiffeboot.observability;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.AuthorizationDecision.Outcome;
import io.github.spiffeboot.id.SpiffeId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthorizationAuditLogTests {

    @Test
    void writesOneLogfmtLinePerDecision() {
        AuthorizationDecision decision = new AuthorizationDecision(SpiffeId.parse("spiffe://example.org/a"), "POST",
                "/api/payments/refund", "refund", Outcome.DENY, "caller is not on the allowlist");
        assertThat(AuthorizationAuditLog.format(decision)).isEqualTo("spiffe-authz outcome=DENY "
                + "caller=\"spiffe://example.org/a\" method=\"POST\" path=\"/api/payments/refund\" rule=\"refund\" "
                + "reason=\"caller is not on the allowlist\" transport=\"http\"");
    }

    @Test
    void aGrpcCallIsAuditedWithTheSameLineAndTransportGrpc() {
        AuthorizationDecision decision = new AuthorizationDecision(SpiffeId.parse("spiffe://example.org/a"), "POST",
                "/payments.Payments/Refund", "refund", Outcome.DENY, "caller is not on the allowlist")
            .withTransport(AuthorizationDecision.GRPC);
        assertThat(AuthorizationAuditLog.format(decision)).isEqualTo("spiffe-authz outcome=DENY "
                + "caller=\"spiffe://example.org/a\" method=\"POST\" path=\"/payments.Payments/Refund\" "
                + "rule=\"refund\" reason=\"caller is not on the allowlist\" transport=\"grpc\"");
    }

    @Test
    void aHostilePathCannotForgeALine() {
        AuthorizationDecision decision = new AuthorizationDecision(null, "GET",
                "/x\"\n2026 spiffe-authz outcome=ALLOW caller=\"spiffe://evil\"", "default", Outcome.DENY, "r");
        String line = AuthorizationAuditLog.format(decision);
        assertThat(line).doesNotContain("\n").contains("caller=\"-\"").contains("path=\"/x\\\"\\x0a2026");
    }
}
