package io.github.spiffeboot.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks and writes their section of {@code BENCHMARKS.md}: each result as a ratio to its
 * baseline measured in the same run, since absolute timings on shared machines mean little.
 */
public final class BenchmarkReport {

    public static void main(String[] args) throws RunnerException, IOException {
        Path output = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        Options options = new OptionsBuilder().include(AuthorizationDecisionBenchmark.class.getSimpleName())
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(1))
            .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<Integer, double[]> byRules = new TreeMap<>();
        Map<Integer, double[]> errors = new TreeMap<>();
        for (RunResult result : results) {
            int rules = Integer.parseInt(result.getParams().getParam("rules"));
            String name = result.getParams().getBenchmark();
            int column = name.endsWith("compiledPolicy") ? 0 : 1;
            byRules.computeIfAbsent(rules, key -> new double[2])[column] = result.getPrimaryResult().getScore();
            errors.computeIfAbsent(rules, key -> new double[2])[column] = result.getPrimaryResult().getScoreError();
        }
        StringBuilder md = new StringBuilder();
        md.append("## Authorization decision (JMH)\n\n");
        md.append("Measured with JMH (`benchmarks/run.sh`), 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement, on ")
            .append(Runtime.getRuntime().availableProcessors())
            .append(" cores, Java ")
            .append(System.getProperty("java.version"))
            .append(", ")
            .append(LocalDate.now())
            .append(". The machine is shared and noisy: read the ratios, which compare two measurements of the same")
            .append(" run; absolute times are given for scale only (mean and 99.9% error).\n\n");
        md.append("One decision for a request that hits the last of N rules (20 caller IDs each) with an allowed ")
            .append("caller. Baseline: a naive allowlist that scans every rule and every ID as strings.\n\n");
        md.append("| rules | compiled policy (ns) | naive scan (ns) | naive / compiled |\n");
        md.append("| ---: | ---: | ---: | ---: |\n");
        byRules.forEach((rules, scores) -> md.append(String.format("| %d | %.0f ± %.0f | %.0f ± %.0f | %.1f× |%n",
                rules, scores[0], errors.get(rules)[0], scores[1], errors.get(rules)[1], scores[1] / scores[0])));
        double[] small = byRules.get(10);
        double[] large = byRules.get(1000);
        if (small != null && large != null) {
            md.append(String.format("%nGrowth from 10 to 1,000 rules: compiled policy %.1f×, naive scan %.1f×.%n",
                    large[0] / small[0], large[1] / small[1]));
        }
        // Only this report's section: the load benchmark writes its own sections of the same file.
        MarkdownSections.write(output, "jmh", md.toString());
        System.out.println("Wrote " + output.toAbsolutePath());
    }
}
