package io.github.spiffeboot.authz;

import java.util.List;

import io.github.spiffeboot.authz.AuthorizationDecision.Outcome;
import io.github.spiffeboot.authz.AuthorizationPolicy.DefaultPolicy;
import io.github.spiffeboot.id.SpiffeId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rule engine on its own: patterns, precedence, default policy, dry run. */
class AuthorizationPolicyTests {

    static final SpiffeId ORDER = SpiffeId.parse("spiffe://example.org/ns/production/sa/order-service");

    static final SpiffeId SUBSCRIPTION = SpiffeId.parse("spiffe://example.org/ns/production/sa/subscription-service");

    static final SpiffeId STAGING_ORDER = SpiffeId.parse("spiffe://example.org/ns/staging/sa/order-service");

    static final SpiffeId QUARANTINED = SpiffeId.parse("spiffe://example.org/ns/quarantine/sa/order-service");

    static final SpiffeId PARTNER = SpiffeId.parse("spiffe://partner.example/billing");

    private final AuthorizationPolicy policy = new AuthorizationPolicy(List.of(
            AuthorizationRule.of(null, "/api/payments/charge", List.of("POST"),
                    List.of(ORDER.toString(), SUBSCRIPTION.toString()), List.of(), false),
            AuthorizationRule.of("refund", "/api/payments/refund", List.of(), List.of(ORDER.toString()), List.of(),
                    false),
            AuthorizationRule.of("reads", "/api/payments/{id}", List.of("GET"),
                    List.of("spiffe://example.org/ns/*/sa/order-service", "spiffe://partner.example/**"), List.of(),
                    false),
            AuthorizationRule.of("everything", "/api/**", List.of(), List.of("spiffe://example.org/**"),
                    List.of("spiffe://example.org/ns/quarantine/**"), false)),
            DefaultPolicy.DENY, false);

    @Test
    void allowsExactIdsListedForTheEndpointAndMethod() {
        assertThat(decide(ORDER, "POST", "/api/payments/charge").outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(decide(SUBSCRIPTION, "POST", "/api/payments/charge").rule()).isEqualTo("POST /api/payments/charge");
    }

    @Test
    void theMostSpecificRuleDecidesWhateverTheOrder() {
        // '/api/**' allows the whole trust domain, but '/api/payments/refund' is more specific.
        AuthorizationDecision decision = decide(SUBSCRIPTION, "POST", "/api/payments/refund");
        assertThat(decision.outcome()).isEqualTo(Outcome.DENY);
        assertThat(decision.rule()).isEqualTo("refund");
    }

    @Test
    void aMethodTheRuleDoesNotListFallsToTheNextRule() {
        AuthorizationDecision decision = decide(SUBSCRIPTION, "GET", "/api/payments/charge");
        // GET /api/payments/charge matches '{id}' (GET) before '/api/**'.
        assertThat(decision.rule()).isEqualTo("reads");
        assertThat(decision.outcome()).isEqualTo(Outcome.DENY);
    }

    @Test
    void aGetRuleAlsoCoversHeadWhichSpringMvcRoutesToTheGetHandler() {
        AuthorizationPolicy open = new AuthorizationPolicy(policy.rules(), DefaultPolicy.AUTHENTICATED, false);
        AuthorizationDecision head = open.decide(SUBSCRIPTION, "HEAD", "/api/payments/p-1",
                RequestPaths.normalize("/api/payments/p-1"));
        assertThat(head.rule()).isEqualTo("reads");
        assertThat(head.outcome()).isEqualTo(Outcome.DENY);
    }

    @Test
    void segmentWildcardsAndTrustDomainPatternsMatch() {
        assertThat(decide(STAGING_ORDER, "GET", "/api/payments/p-1").outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(decide(PARTNER, "GET", "/api/payments/p-1").outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(decide(SUBSCRIPTION, "GET", "/api/payments/p-1").outcome()).isEqualTo(Outcome.DENY);
    }

    @Test
    void denyEntriesWinOverAllowEntries() {
        // 'reads' allows ns/*/sa/order-service, but '/api/**' (also covering the path) denies ns/quarantine.
        assertThat(decide(STAGING_ORDER, "GET", "/api/payments/p-1").outcome()).isEqualTo(Outcome.ALLOW);
        AuthorizationDecision decision = decide(QUARANTINED, "GET", "/api/payments/p-1");
        assertThat(decision.outcome()).isEqualTo(Outcome.DENY);
        assertThat(decision.rule()).isEqualTo("everything");
        assertThat(decision.reason()).isEqualTo("caller is on the denylist");

        AuthorizationPolicy denyWins = new AuthorizationPolicy(List.of(
                AuthorizationRule.of("allow", "/x", List.of(), List.of(ORDER.toString()), List.of(), false),
                AuthorizationRule.of("deny", "/**", List.of(), List.of(), List.of(ORDER.toString()), false)),
                DefaultPolicy.AUTHENTICATED, false);
        AuthorizationDecision denied = denyWins.decide(ORDER, "GET", "/x", RequestPaths.normalize("/x"));
        assertThat(denied.outcome()).isEqualTo(Outcome.DENY);
        assertThat(denied.rule()).isEqualTo("deny");
    }

    @Test
    void pathsNoRuleCoversFollowTheDefaultPolicy() {
        assertThat(decide(ORDER, "GET", "/health").outcome()).isEqualTo(Outcome.DENY);
        assertThat(decide(ORDER, "GET", "/health").rule()).isEqualTo(AuthorizationPolicy.DEFAULT_RULE);
        AuthorizationPolicy open = new AuthorizationPolicy(policy.rules(), DefaultPolicy.AUTHENTICATED, false);
        assertThat(open.decide(ORDER, "GET", "/health", RequestPaths.normalize("/health")).outcome())
            .isEqualTo(Outcome.ALLOW);
        assertThat(open.decide(null, "GET", "/health", RequestPaths.normalize("/health")).outcome())
            .isEqualTo(Outcome.DENY);
    }

    @Test
    void dryRunTurnsDenialsIntoLoggedOnes() {
        AuthorizationPolicy globalDryRun = new AuthorizationPolicy(policy.rules(), DefaultPolicy.DENY, true);
        AuthorizationDecision decision = globalDryRun.decide(SUBSCRIPTION, "POST", "/api/payments/refund",
                RequestPaths.normalize("/api/payments/refund"));
        assertThat(decision.outcome()).isEqualTo(Outcome.DRY_RUN_DENY);
        assertThat(decision.permitted()).isTrue();

        AuthorizationPolicy ruleDryRun = new AuthorizationPolicy(List.of(
                AuthorizationRule.of("trial", "/trial", List.of(), List.of(ORDER.toString()), List.of(), true),
                AuthorizationRule.of("strict", "/strict", List.of(), List.of(ORDER.toString()), List.of(), false)),
                DefaultPolicy.DENY, false);
        assertThat(ruleDryRun.decide(SUBSCRIPTION, "GET", "/trial", RequestPaths.normalize("/trial")).outcome())
            .isEqualTo(Outcome.DRY_RUN_DENY);
        assertThat(ruleDryRun.decide(SUBSCRIPTION, "GET", "/strict", RequestPaths.normalize("/strict")).outcome())
            .isEqualTo(Outcome.DENY);
    }

    @Test
    void normalisationKeepsPathSpellingsUnderTheirRule() {
        for (String spelling : List.of("/api/payments/refund/", "//api/payments/refund", "/api/payments/./refund",
                "/API/Payments/REFUND", "/api/x/../payments/refund", "/api//payments///refund")) {
            AuthorizationDecision decision = decide(SUBSCRIPTION, "POST", spelling);
            assertThat(decision.rule()).as(spelling).isEqualTo("refund");
            assertThat(decision.outcome()).as(spelling).isEqualTo(Outcome.DENY);
        }
    }

    @Test
    void rejectsBadPatternsWithTheReason() {
        assertThatThrownBy(() -> SpiffeIdPattern.parse("spiffe://example.org/ns//sa"))
            .hasMessageContaining("path cannot contain empty segments");
        assertThatThrownBy(() -> SpiffeIdPattern.parse("spiffe://Example.org/a"))
            .hasMessageContaining("trust domain characters");
        assertThatThrownBy(() -> SpiffeIdPattern.parse("spiffe://*.example.org/a")).hasMessageContaining("trust domain");
        assertThatThrownBy(() -> SpiffeIdPattern.parse("spiffe://example.org/ns/prod*"))
            .hasMessageContaining("whole path segments");
        assertThatThrownBy(() -> SpiffeIdPattern.parse("spiffe://example.org/**/sa")).hasMessageContaining("last");
        assertThatThrownBy(() -> SpiffeIdPattern.parse("spiffe://example.org")).hasMessageContaining("/**");
        assertThatThrownBy(() -> EndpointPattern.parse("api/x")).hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> EndpointPattern.parse("/api/pay*")).hasMessageContaining("mixes text and wildcards");
        assertThatThrownBy(() -> AuthorizationRule.parseMethods(List.of("FETCH"))).hasMessageContaining("'FETCH'");
    }

    @Test
    void wildcardsStandForWholeSegmentsOnly() {
        SpiffeIdPattern oneSegment = SpiffeIdPattern.parse("spiffe://example.org/ns/*/sa/order-service");
        assertThat(oneSegment.matches(ORDER)).isTrue();
        assertThat(oneSegment.matches(SpiffeId.parse("spiffe://example.org/ns/a/b/sa/order-service"))).isFalse();
        assertThat(oneSegment.matches(SpiffeId.parse("spiffe://other.org/ns/production/sa/order-service"))).isFalse();
        SpiffeIdPattern rest = SpiffeIdPattern.parse("spiffe://example.org/ns/**");
        assertThat(rest.matches(ORDER)).isTrue();
        assertThat(rest.matches(SpiffeId.parse("spiffe://example.org/ns"))).isFalse();
    }

    private AuthorizationDecision decide(SpiffeId caller, String method, String path) {
        return policy.decide(caller, method, path, RequestPaths.normalize(path));
    }
}
