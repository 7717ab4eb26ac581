package io.github.spiffeboot.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.spiffeboot.authz.AuthorizationPolicy;
import io.github.spiffeboot.authz.AuthorizationPolicy.DefaultPolicy;
import io.github.spiffeboot.authz.AuthorizationRule;
import io.github.spiffeboot.authz.RequestPaths;
import io.github.spiffeboot.id.SpiffeId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of one authorization decision with N rules of 20 caller IDs each, for a request that hits
 * the last rule (the worst case for a scan) with a caller the rule allows. The compiled
 * {@link AuthorizationPolicy} against the {@link NaiveAllowlist} baseline, same rules, same request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AuthorizationDecisionBenchmark {

    private static final int IDS_PER_RULE = 20;

    @Param({ "10", "1000" })
    public int rules;

    private AuthorizationPolicy policy;

    private NaiveAllowlist naive;

    private SpiffeId caller;

    private String callerText;

    private String path;

    @Setup
    public void setUp() {
        List<AuthorizationRule> compiled = new ArrayList<>();
        List<NaiveAllowlist.Rule> plain = new ArrayList<>();
        for (int r = 0; r < rules; r++) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < IDS_PER_RULE; i++) {
                ids.add("spiffe://example.org/ns/production/sa/service-" + r + "-" + i);
            }
            String rulePath = "/api/service-" + r + "/orders/{id}";
            compiled.add(AuthorizationRule.of("rule-" + r, rulePath, List.of("POST"), ids, List.of(), false));
            plain.add(new NaiveAllowlist.Rule("POST", rulePath, ids));
        }
        policy = new AuthorizationPolicy(compiled, DefaultPolicy.DENY, false);
        naive = new NaiveAllowlist(plain);
        int last = rules - 1;
        callerText = "spiffe://example.org/ns/production/sa/service-" + last + "-" + (IDS_PER_RULE - 1);
        caller = SpiffeId.parse(callerText);
        path = "/api/service-" + last + "/orders/o-42";
        if (!policy.decide(caller, "POST", path, RequestPaths.normalize(path)).permitted()
                || !naive.allowed(callerText, "POST", path)) {
            throw new IllegalStateException("both must allow the benchmark request");
        }
    }

    /** The starter's compiled policy, including path normalisation. */
    @Benchmark
    public boolean compiledPolicy() {
        return policy.decide(caller, "POST", path, RequestPaths.normalize(path)).permitted();
    }

    /** Baseline: scan every rule and every ID. */
    @Benchmark
    public boolean naiveScan() {
        return naive.allowed(callerText, "POST", path);
    }
}
