package io.github.spiffeboot.observability;

import io.github.spiffeboot.authz.AuthorizationDecision;
import io.github.spiffeboot.authz.AuthorizationDecision.Outcome;
import io.github.spiffeboot.authz.AuthorizationDecisionListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One log line per denial (and, if enabled, per allow) on the logger {@value #LOGGER}, in logfmt so
 * that log pipelines can parse it:
 *
 * <pre>
 * spiffe-authz outcome=DENY caller="spiffe://example.org/ns/prod/sa/x" method=POST path="/api/payments/refund" rule="refund" reason="caller is not on the allowlist" transport="http" credential=x509-svid
 * </pre>
 *
 * A gRPC call has {@code method="POST"}, {@code path="/package.Service/Method"} and {@code transport="grpc"}.
 * {@code credential} says what proved the caller: {@code x509-svid} (the TLS peer) or {@code jwt-svid} (a
 * bearer token); for a refused token, {@code caller="-"}, {@code credential=jwt-svid} and the refusal in
 * {@code reason}. It is left out when nothing was presented.
 *
 * Values are quoted and escaped, so a hostile path cannot forge log lines. Nothing about keys or
 * certificates is ever logged.
 */
public final class AuthorizationAuditLog implements AuthorizationDecisionListener {

    /** The logger name, to route audit lines separately. */
    public static final String LOGGER = "io.github.spiffeboot.audit";

    private static final Log log = LogFactory.getLog(LOGGER);

    private final boolean logAllowed;

    public AuthorizationAuditLog(boolean logAllowed) {
        this.logAllowed = logAllowed;
    }

    @Override
    public void onDecision(AuthorizationDecision decision) {
        if (decision.outcome() == Outcome.ALLOW) {
            if (logAllowed && log.isInfoEnabled()) {
                log.info(format(decision));
            }
        }
        else if (log.isWarnEnabled()) {
            log.warn(format(decision));
        }
    }

    /** The audit line for a decision. */
    public static String format(AuthorizationDecision decision) {
        StringBuilder line = new StringBuilder("spiffe-authz outcome=").append(decision.outcome());
        line.append(" caller=").append(quote((decision.caller() != null) ? decision.caller().toString() : "-"));
        line.append(" method=").append(quote(decision.method()));
        line.append(" path=").append(quote(decision.path()));
        line.append(" rule=").append(quote(decision.rule()));
        line.append(" reason=").append(quote(decision.reason()));
        line.append(" transport=").append(quote(decision.transport()));
        if (decision.credential() != null) {
            line.append(" credential=").append(decision.credential().label());
        }
        return line.toString();
    }

    static String quote(String value) {
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            }
            else if (c < 0x20 || c == 0x7f) {
                quoted.append(String.format("\\x%02x", (int) c));
            }
            else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
