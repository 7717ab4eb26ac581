#!/usr/bin/env bash
# Runs the JMH benchmarks and rewrites their section of BENCHMARKS.md (a few minutes).
# 'benchmarks/run.sh' measures authorization decisions; 'benchmarks/run.sh jwt' JWT-SVID validation.
# Builds with 'package' in one reactor (never 'install'): the classpath points at this checkout's jars.
set -euo pipefail
cd "$(dirname "$0")/.."
report=io.github.spiffeboot.benchmarks.BenchmarkReport
if [ "${1:-}" = "jwt" ]; then
  report=io.github.spiffeboot.benchmarks.JwtBenchmarkReport
fi
./mvnw -q -B -ntp -DskipTests package dependency:build-classpath -pl benchmarks -am \
  -Dmdep.outputFile=target/benchmarks.classpath
java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmarks.classpath)" "$report" BENCHMARKS.md
