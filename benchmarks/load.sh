#!/usr/bin/env bash
# Load benchmark of the starter against plain Spring Boot TLS and Spring Security x509() (default), or the
# soak of the starter through SVID rotation and a Workload API restart (--soak). Each server runs in its own
# JVM; the load driver is ab (Debian's apache2-utils, installed here if missing). Results go to their own
# section of BENCHMARKS.md. './mvnw verify' never runs this. See --help for the options, e.g.:
#   benchmarks/load.sh                          full comparison (~15 minutes)
#   benchmarks/load.sh --grpc                   gRPC unary calls, starter against plain Boot gRPC TLS
#   benchmarks/load.sh --soak                   full soak (2 phases of 10 minutes, plus warm-up)
#   benchmarks/load.sh --smoke [--soak]         short runs that prove the harness, labelled SMOKE RUN
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v ab >/dev/null 2>&1; then
    echo "ab is missing: installing Debian's apache2-utils"
    apt-get update -qq && apt-get install -y -qq apache2-utils
fi
for tool in curl jcmd java; do
    command -v "$tool" >/dev/null 2>&1 || { echo "load.sh needs $tool on the PATH" >&2; exit 2; }
done

# One reactor with 'package' (never 'install'): the classpath and the servers' jars are this checkout's.
./mvnw -q -B -ntp -DskipTests package dependency:build-classpath \
  -pl benchmarks,benchmarks/load-plain-tls,benchmarks/load-x509,benchmarks/load-webflux,benchmarks/load-plain-webflux,benchmarks/load-plain-grpc,sample-payment-service -am \
  -Dmdep.outputFile=target/load.classpath
exec java -Xmx256m -Dload.root="$PWD" \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/load.classpath)" \
  io.github.spiffeboot.benchmarks.load.LoadBenchmark "$@"
