#!/usr/bin/env bash
# Runs the JMH benchmarks and rewrites their section of BENCHMARKS.md (a few minutes).
# Builds with 'package' in one reactor (never 'install'): the classpath points at this checkout's jars.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests package dependency:build-classpath -pl benchmarks -am \
  -Dmdep.outputFile=target/benchmarks.classpath
java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmarks.classpath)" \
  io.github.spiffeboot.benchmarks.BenchmarkReport BENCHMARKS.md
