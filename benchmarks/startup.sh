#!/usr/bin/env bash
# Startup benchmark: time from 'java' to the first served mTLS request, for the starter (sample-payment-service)
# and plain Spring Boot TLS, on the JVM, in Spring AOT mode, with a CDS archive and with the JDK 25 AOT cache
# (Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64, or -Dstartup.jdk25=... via STARTUP_JDK25). Alternating
# runs, medians; rewrites the startup section of BENCHMARKS.md. './mvnw verify' never runs this.
#   benchmarks/startup.sh            5 rounds (about 15 minutes on a busy 2-core machine)
#   benchmarks/startup.sh --runs 7   more rounds
#   benchmarks/startup.sh --variants jvm,spring-aot,cds,jdk25-aot-cache   only these rows (keys in StartupVariant)
#   benchmarks/startup.sh --smoke    one round, labelled SMOKE RUN
set -euo pipefail
cd "$(dirname "$0")/.."
JDK25="${STARTUP_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ -x "$JDK25/bin/java" ]] || { echo "startup.sh needs a JDK 25 at $JDK25 (set STARTUP_JDK25)" >&2; exit 2; }

# One reactor with 'package' (never 'install'), with Spring AOT processing (-Paot) for both servers' jars.
# maven.test.skip also skips payment-service's process-test-aot, which the benchmark does not need.
./mvnw -q -B -ntp -Dmaven.test.skip=true -Paot package dependency:build-classpath \
  -pl benchmarks,benchmarks/load-plain-tls,sample-payment-service -am \
  -Dmdep.outputFile=target/startup.classpath
exec java -Xmx256m -Dload.root="$PWD" -Dstartup.jdk25="$JDK25" \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/startup.classpath)" \
  io.github.spiffeboot.benchmarks.load.StartupBenchmark "$@"
