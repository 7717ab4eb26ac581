#!/usr/bin/env bash
# Runs the JMH benchmarks and rewrites BENCHMARKS.md (a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests install -pl benchmarks -am
./mvnw -q -B dependency:build-classpath -pl benchmarks -Dmdep.outputFile=target/benchmarks.classpath
java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmarks.classpath)" \
  io.github.spiffeboot.benchmarks.BenchmarkReport BENCHMARKS.md
