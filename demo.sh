#!/usr/bin/env bash
# Runs the demo: a development Workload API, payment-service over SPIFFE mTLS, and a short scenario.
# Needs only Java 17+; Maven comes through the wrapper.
set -euo pipefail
cd "$(dirname "$0")"
echo "Building (first run downloads dependencies)..."
./mvnw -q -B -DskipTests install
exec java -jar demo/target/spiffe-demo.jar "$PWD"
