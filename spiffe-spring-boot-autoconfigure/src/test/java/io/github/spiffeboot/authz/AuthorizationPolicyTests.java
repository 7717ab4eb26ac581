package io.github.spiffeboot.authz;

import java.util.ArrayList;
import java.util.List;

import io.github.spiffeboot.authz.AuthorizationDecision.Outcome;
import io.github.spiffeboot.authz.AuthorizationPolicy.DefaultPolicy;
import io.github.spiffeboot.id.SpiffeId;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

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
        assertThatThrownBy(() -> EndpointPattern.parse("/api/pay*")).hasMessageContaining("part of a segment");
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

    @Test
    void aCaptureTheRestVariableCoversEverySegmentBelowItAsSpringMvcDoes() {
        // In Spring MVC '{*path}' captures the rest of the path: '/files/x/y' goes to the '/files/{*path}' handler.
        AuthorizationPolicy files = new AuthorizationPolicy(List.of(
                AuthorizationRule.of("files", "/files/{*path}", List.of(), List.of(ORDER.toString()), List.of(), false)),
                DefaultPolicy.AUTHENTICATED, false);
        for (String path : List.of("/files", "/files/", "/files/x", "/files/x/y", "/files/x/y/z/")) {
            AuthorizationDecision decision = files.decide(SUBSCRIPTION, "GET", path, RequestPaths.normalize(path));
            assertThat(decision.rule()).as(path).isEqualTo("files");
            assertThat(decision.outcome()).as(path).isEqualTo(Outcome.DENY);
        }
    }

    @Test
    void aFinalStarAlsoCoversTheEmptySegmentOfATrailingSlashAsSpringMvcDoes() {
        // Spring MVC routes '/items/' to an '/items/*' handler (the final '*' matches the empty segment).
        AuthorizationPolicy items = new AuthorizationPolicy(List.of(
                AuthorizationRule.of("items", "/items/*", List.of(), List.of(ORDER.toString()), List.of(), false)),
                DefaultPolicy.AUTHENTICATED, false);
        AuthorizationDecision decision = items.decide(SUBSCRIPTION, "GET", "/items/", RequestPaths.normalize("/items/"));
        assertThat(decision.rule()).isEqualTo("items");
        assertThat(decision.outcome()).isEqualTo(Outcome.DENY);
        assertThat(items.decide(SUBSCRIPTION, "GET", "/items", RequestPaths.normalize("/items")).rule())
            .isEqualTo(AuthorizationPolicy.DEFAULT_RULE);
    }

    @Test
    void aPathWithATrailingSlashMustBeAllowedWithAndWithoutIt() {
        // Spring MVC routes '/items/' to the '/items/*' handler; an application stripping trailing slashes
        // routes it to '/items'. Only a caller both rules allow may call it.
        AuthorizationPolicy items = new AuthorizationPolicy(List.of(
                AuthorizationRule.of("list", "/items", List.of(), List.of(ORDER.toString()), List.of(), false),
                AuthorizationRule.of("item", "/items/*", List.of(), List.of(SUBSCRIPTION.toString()), List.of(), false),
                AuthorizationRule.of("both", "/both", List.of(), List.of(ORDER.toString()), List.of(), false),
                AuthorizationRule.of("both-items", "/both/*", List.of(), List.of(ORDER.toString()), List.of(),
                        false)),
                DefaultPolicy.AUTHENTICATED, false);
        AuthorizationDecision order = items.decide(ORDER, "GET", "/items/", RequestPaths.normalize("/items/"));
        assertThat(order.outcome()).isEqualTo(Outcome.DENY);
        assertThat(order.rule()).isEqualTo("item");
        AuthorizationDecision subscription = items.decide(SUBSCRIPTION, "GET", "/items/",
                RequestPaths.normalize("/items/"));
        assertThat(subscription.outcome()).isEqualTo(Outcome.DENY);
        assertThat(subscription.rule()).isEqualTo("list");
        assertThat(items.decide(ORDER, "GET", "/items", RequestPaths.normalize("/items")).outcome())
            .isEqualTo(Outcome.ALLOW);
        assertThat(items.decide(SUBSCRIPTION, "GET", "/items/x", RequestPaths.normalize("/items/x")).outcome())
            .isEqualTo(Outcome.ALLOW);
        assertThat(items.decide(ORDER, "GET", "/both/", RequestPaths.normalize("/both/")).outcome())
            .isEqualTo(Outcome.ALLOW);
    }

    /**
     * Every form of Spring's {@link PathPatternParser} syntax, against Spring's own matcher over a table of
     * paths: a form the engine accepts covers exactly the paths Spring's {@link PathPattern} matches
     * (compared case-insensitively, since rules fold case, and widened only by the one deliberate step that
     * a rule also covers its path with a trailing slash); every other form is refused, naming the pattern.
     */
    @Test
    void everyPatternFormMatchesWhatSpringPathPatternMatchesOrIsRefused() {
        List<String> accepted = List.of("/", "/api", "/api/x", "/API/X", "/api/*", "/api/{id}", "/api/*/x",
                "/api/{id}/x", "/api/x/*", "/api/*/*", "/api/{id}/*", "/api/**", "/api/{*rest}", "/api/*/**",
                "/api/{id}/**", "/api/x/**", "/api/x/{*rest}", "/**", "/{*path}", "/*", "/{id}", "/files/{*path}",
                "/k", "/i", "/stra\u00dfe".translateEscapes());
        List<String> refused = List.of("/api/?", "/api/x?", "/api/*.json", "/api/x.*", "/api/a*b", "/api/{id:\\d+}",
                "/api/{id:[a-z]+}/x", "/api/{id}.json", "/api/v{version}", "/api/{a}-{b}", "/api/**/x", "/**/x",
                "/{*path}/x", "/api/{*rest}/x", "/api/x/", "/api//x", "/api/{}", "/api/{}x", "/api/**x", "/api/x**");
        List<String> paths = List.of("", "/", "/api", "/api/", "/API", "/api/x", "/api/X", "/API/X", "/api/x/",
                "/api/x/y", "/api/x/y/", "/api/x/x", "/api/x/x/", "/api/1", "/api/x.json", "/api/a", "/api/ab",
                "/api/x/y/z", "/files", "/files/", "/files/x", "/files/x/y", "/files/x/y/z/", "/x", "/a/x", "/a/b/x",
                "/k", "/K", "/\u212a".translateEscapes(), "/i", "/I", "/\u0130".translateEscapes(),
                "/\u0131".translateEscapes(), "/STRASSE", "/stra\u00dfe".translateEscapes(),
                "/STRA\u1e9eE".translateEscapes());
        PathPatternParser caseSensitive = new PathPatternParser();
        PathPatternParser caseInsensitive = new PathPatternParser();
        caseInsensitive.setCaseSensitive(false);
        List<String> mismatches = new ArrayList<>();
        for (String text : accepted) {
            PathPattern spring = caseInsensitive.parse(text);
            PathPattern springCaseSensitive = caseSensitive.parse(text);
            // Any caller may call what the rule does not cover, so a denial of this caller shows the rule covers it.
            AuthorizationPolicy single = new AuthorizationPolicy(List.of(
                    AuthorizationRule.of("rule", text, List.of(), List.of(ORDER.toString()), List.of(), false)),
                    DefaultPolicy.AUTHENTICATED, false);
            for (String path : paths) {
                boolean expected = matches(spring, path)
                        // The one deliberate widening: a rule also covers its path spelled with a trailing slash.
                        || (path.length() > 1 && path.endsWith("/")
                                && matches(spring, path.substring(0, path.length() - 1)))
                        // The empty path (a request for the servlet path itself) counts as the root.
                        || (path.isEmpty() && text.equals("/"));
                boolean covered = single.decide(SUBSCRIPTION, "GET", path, RequestPaths.normalize(path)).rule()
                    .equals("rule");
                if (covered != expected || (matches(springCaseSensitive, path) && !covered)) {
                    mismatches.add(text + " vs '" + path + "': Spring " + matches(spring, path) + ", rule " + covered);
                }
                if (EndpointPattern.parse(text).matches(RequestPaths.normalize(path)) != covered) {
                    mismatches.add(text + " vs '" + path + "': EndpointPattern.matches disagrees with the policy");
                }
            }
        }
        assertThat(mismatches).isEmpty();
        for (String text : refused) {
            assertThatThrownBy(() -> EndpointPattern.parse(text)).as(text)
                .isInstanceOf(InvalidRuleException.class)
                .hasMessageContaining("'" + text + "'");
        }
        // Forms Spring refuses too.
        for (String text : List.of("/api/**/x", "/api/{*rest}/x", "/api/{**}", "/api/{*a:b}")) {
            assertThatThrownBy(() -> caseSensitive.parse(text)).as(text).isInstanceOf(PatternParseException.class);
            assertThatThrownBy(() -> EndpointPattern.parse(text)).as(text).isInstanceOf(InvalidRuleException.class);
        }
    }

    @Test
    void refusedPatternFormsSayWhatToWriteInstead() {
        assertThatThrownBy(() -> EndpointPattern.parse("/files/{*path}/meta")).hasMessageContaining("last segment");
        assertThatThrownBy(() -> EndpointPattern.parse("/api/{id:\\d+}")).hasMessageContaining("regular expression")
            .hasMessageContaining("'{id}'");
        assertThatThrownBy(() -> EndpointPattern.parse("/api/*.json")).hasMessageContaining("part of a segment");
        assertThatThrownBy(() -> EndpointPattern.parse("/api/?")).hasMessageContaining("part of a segment");
        assertThatThrownBy(() -> EndpointPattern.parse("/api/x/")).hasMessageContaining("'/api/x'")
            .hasMessageContaining("trailing slash");
    }

    private static boolean matches(PathPattern pattern, String path) {
        return pattern.matches(PathContainer.parsePath(path));
    }

    @Test
    void grpcMethodRulesAreDecidedByTheSameEngineAsThePostTheCallIs() {
        AuthorizationPolicy grpc = new AuthorizationPolicy(List.of(
                AuthorizationRule.ofGrpcMethod(null, "payments.v1.Payments/Charge",
                        List.of(ORDER.toString(), SUBSCRIPTION.toString()), List.of(), false),
                AuthorizationRule.ofGrpcMethod("refund", "payments.v1.Payments/Refund", List.of(ORDER.toString()),
                        List.of(), false),
                AuthorizationRule.ofGrpcMethod("reads", "payments.v1.Reads/*", List.of("spiffe://example.org/**"),
                        List.of(), false)),
                DefaultPolicy.DENY, false);
        assertThat(decideWith(grpc, SUBSCRIPTION, "POST", "/payments.v1.Payments/Charge").rule())
            .isEqualTo("payments.v1.Payments/Charge");
        assertThat(decideWith(grpc, SUBSCRIPTION, "POST", "/payments.v1.Payments/Charge").outcome())
            .isEqualTo(Outcome.ALLOW);
        assertThat(decideWith(grpc, SUBSCRIPTION, "POST", "/payments.v1.Payments/Refund").outcome())
            .isEqualTo(Outcome.DENY);
        assertThat(decideWith(grpc, ORDER, "POST", "/payments.v1.Payments/Refund").outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(decideWith(grpc, PARTNER, "POST", "/payments.v1.Reads/Get").outcome()).isEqualTo(Outcome.DENY);
        assertThat(decideWith(grpc, QUARANTINED, "POST", "/payments.v1.Reads/Get").outcome())
            .isEqualTo(Outcome.ALLOW);
        // A method no rule names gets the default policy; a gRPC rule is only about the POST a call is.
        assertThat(decideWith(grpc, ORDER, "POST", "/payments.v1.Payments/Void").rule())
            .isEqualTo(AuthorizationPolicy.DEFAULT_RULE);
        assertThat(decideWith(grpc, ORDER, "GET", "/payments.v1.Payments/Charge").outcome()).isEqualTo(Outcome.DENY);
    }

    @Test
    void aGrpcMethodPatternMustBeAFullMethodNameOrAWholeService() {
        for (String bad : List.of("Charge", "/payments.Payments/Charge", "payments.Payments/", "payments.Payments/**",
                "payments.Payments/Ch*", "payments..Payments/Charge", "payments.Payments/Charge/x", "*/Charge", "")) {
            assertThatThrownBy(() -> AuthorizationRule.ofGrpcMethod(null, bad, List.of(ORDER.toString()), List.of(),
                    false))
                .as(bad)
                .isInstanceOf(InvalidRuleException.class)
                .hasMessageContaining("package.Service/Method");
        }
    }

    private static AuthorizationDecision decideWith(AuthorizationPolicy policy, SpiffeId caller, String method,
            String path) {
        return policy.decide(caller, method, path, RequestPaths.normalize(path));
    }

    private AuthorizationDecision decide(SpiffeId caller, String method, String path) {
        return policy.decide(caller, method, path, RequestPaths.normalize(path));
    }
}
