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
 * Runs {@link JwtSvidValidationBenchmark} and writes its own section ({@code jmh-jwt}) of
 * {@code BENCHMARKS.md}; {@code benchmarks/run.sh jwt} calls it.
 */
public final class JwtBenchmarkReport {

    public static void main(String[] args) throws RunnerException, IOException {
        Path output = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        Options options = new OptionsBuilder().include(JwtSvidValidationBenchmark.class.getSimpleName())
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(10)
            .measurementTime(TimeValue.seconds(1))
            .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> scores = new TreeMap<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.') + 1), new double[] { result.getPrimaryResult().getScore(),
                    result.getPrimaryResult().getScoreError() });
        }
        StringBuilder md = new StringBuilder();
        md.append("## JWT-SVID validation (JMH)\n\n");
        md.append("Measured with JMH (`benchmarks/run.sh jwt`), 1 fork, 3 x 1 s warm-up, 10 x 1 s measurement, on ")
            .append(Runtime.getRuntime().availableProcessors())
            .append(" cores, Java ")
            .append(System.getProperty("java.version"))
            .append(", ")
            .append(LocalDate.now())
            .append(". Shared, noisy machine: read the ratios; absolute times (mean and 99.9% error) are for scale.\n\n");
        md.append("One ES256 JWT-SVID (SPIRE's default). *First sight*: parse, key by `kid` in the bundle of the ")
            .append("`sub`'s trust domain, signature, claims (`exp`, `nbf`, `aud`). *Seen before*: the same token ")
            .append("again within the same bundle version (a client reuses its token for minutes). *Bundle parse*: ")
            .append("what every request would add if keys were not kept per bundle version. Baseline: Spring ")
            .append("Security's `NimbusJwtDecoder` with the same key; floor: the JDK's signature check alone.\n\n");
        md.append("| case | µs per validation | / Spring NimbusJwtDecoder |\n");
        md.append("| --- | ---: | ---: |\n");
        double baseline = scores.containsKey("springNimbusDecoder") ? scores.get("springNimbusDecoder")[0] : Double.NaN;
        row(md, "first sight (starter)", scores.get("firstSight"), baseline);
        row(md, "seen before (starter)", scores.get("seenBefore"), baseline);
        row(md, "Spring NimbusJwtDecoder (baseline)", scores.get("springNimbusDecoder"), baseline);
        row(md, "JDK ECDSA P-256 verify alone (floor)", scores.get("jdkEcdsaVerify"), baseline);
        row(md, "bundle parse (saved per request)", scores.get("bundleParse"), baseline);
        double[] first = scores.get("firstSight");
        double[] floor = scores.get("jdkEcdsaVerify");
        double[] seen = scores.get("seenBefore");
        if (first != null && floor != null && seen != null) {
            md.append(String.format("%nA token seen for the first time costs %.1f× the JDK's signature check alone (the larger "
                    + "part of it); the same token again costs %.2f µs (a map lookup and a clock check), so a client "
                    + "that reuses its token pays the signature once per token and bundle version.%n",
                    first[0] / floor[0], seen[0]));
        }
        MarkdownSections.write(output, "jmh-jwt", md.toString());
        System.out.println("Wrote " + output.toAbsolutePath());
    }

    private static void row(StringBuilder md, String name, double[] score, double baseline) {
        if (score != null) {
            md.append(String.format("| %s | %.2f ± %.2f | %.2f× |%n", name, score[0], score[1], score[0] / baseline));
        }
    }
}
