#!/usr/bin/env bash
# Interoperability with go-spiffe: Go workloads (github.com/spiffe/go-spiffe/v2) and the starter's Java
# samples call each other over SPIFFE mTLS, each with an SVID from the project's development Workload API
# (one socket per workload). Not SPIRE: building SPIRE is blocked here (see the README).
# Needs: Java 17+, Go. Run after `./mvnw install` (or `verify`); fails loudly, stops what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

fail() {
    echo "INTEROP FAILED: $*" >&2
    for log in "$work"/*.log; do
        echo "--- $log" >&2
        tail -20 "$log" >&2
    done
    exit 1
}

echo "== Building the go-spiffe programs"
(cd e2e/interop && go build -o "$work/go-client" ./client && go build -o "$work/go-server" ./server \
    && go build -o "$work/go-grpc-client" ./grpcclient && go build -o "$work/go-grpc-server" ./grpcserver)

echo "== Starting the development Workload API"
./mvnw -q -B dependency:build-classpath -pl spiffe-spring-boot-test -Dmdep.outputFile="$work/cp.txt"
td=spiffe://example.org/ns/production/sa
java -cp "spiffe-spring-boot-test/target/classes:$(cat "$work/cp.txt")" io.github.spiffeboot.test.dev.DevWorkloadApi \
    --dir "$work" --ttl PT20S \
    payment="$td/payment-service" order="$td/order-service" subscription="$td/subscription-service" \
    storefront="$td/storefront" goserver="$td/go-payment-service" > "$work/workload-api.log" 2>&1 &
pids+=($!)
for name in payment order subscription storefront goserver; do
    for _ in $(seq 1 100); do [ -S "$work/$name.sock" ] && break; sleep 0.2; done
    [ -S "$work/$name.sock" ] || fail "no socket for $name"
done

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || echo $(( 20000 + RANDOM % 20000 ))
}
wait_port() {
    for _ in $(seq 1 900); do  # up to 3 minutes: JVMs start slowly on a busy machine
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

payment_port=$(free_port)
payment_grpc_port=$(free_port)
goserver_port=$(free_port)
go_grpc_port=$(free_port)
order_port=$(free_port)
order_wrong_port=$(free_port)
order_grpc_port=$(free_port)
order_grpc_wrong_port=$(free_port)

echo "== Starting payment-service (Java), a go-spiffe server, and order-service (Java) in front of it"
SPIFFE_ENDPOINT_SOCKET="unix://$work/payment.sock" SERVER_PORT=$payment_port MANAGEMENT_PORT=$(free_port) \
    GRPC_PORT=$payment_grpc_port java -jar sample-payment-service/target/sample-payment-service-exec.jar > "$work/payment.log" 2>&1 &
pids+=($!)
"$work/go-server" -socket "unix://$work/goserver.sock" -addr "127.0.0.1:$goserver_port" \
    -authorize "$td/order-service" -idle-timeout 1s > "$work/go-server.log" 2>&1 &
pids+=($!)
SPIFFE_ENDPOINT_SOCKET="unix://$work/order.sock" SERVER_PORT=$order_port MANAGEMENT_PORT=$(free_port) \
    PAYMENT_URL="https://localhost:$goserver_port" SPIFFE_CLIENT_SERVERS_PAYMENT_IDS="$td/go-payment-service" \
    java -jar sample-order-service/target/sample-order-service-exec.jar > "$work/order.log" 2>&1 &
pids+=($!)
SPIFFE_ENDPOINT_SOCKET="unix://$work/order.sock" SERVER_PORT=$order_wrong_port MANAGEMENT_PORT=$(free_port) \
    PAYMENT_URL="https://localhost:$goserver_port" SPIFFE_CLIENT_SERVERS_PAYMENT_IDS="$td/not-the-go-server" \
    java -jar sample-order-service/target/sample-order-service-exec.jar > "$work/order-wrong.log" 2>&1 &
pids+=($!)
# payment-service's gRPC API has a go-spiffe counterpart too, and order-service calls it with one property.
"$work/go-grpc-server" -socket "unix://$work/goserver.sock" -addr "127.0.0.1:$go_grpc_port" \
    -authorize "$td/order-service" -idle-timeout 1s > "$work/go-grpc-server.log" 2>&1 &
pids+=($!)
SPIFFE_ENDPOINT_SOCKET="unix://$work/order.sock" SERVER_PORT=$order_grpc_port MANAGEMENT_PORT=$(free_port) \
    PAYMENT_TRANSPORT=grpc PAYMENT_GRPC_TARGET="localhost:$go_grpc_port" SPIFFE_CLIENT_SERVERS_PAYMENT_IDS="$td/go-payment-service" \
    java -jar sample-order-service/target/sample-order-service-exec.jar > "$work/order-grpc.log" 2>&1 &
pids+=($!)
SPIFFE_ENDPOINT_SOCKET="unix://$work/order.sock" SERVER_PORT=$order_grpc_wrong_port MANAGEMENT_PORT=$(free_port) \
    PAYMENT_TRANSPORT=grpc PAYMENT_GRPC_TARGET="localhost:$go_grpc_port" SPIFFE_CLIENT_SERVERS_PAYMENT_IDS="$td/not-the-go-server" \
    java -jar sample-order-service/target/sample-order-service-exec.jar > "$work/order-grpc-wrong.log" 2>&1 &
pids+=($!)
for port in $payment_port $payment_grpc_port $goserver_port $go_grpc_port $order_port $order_wrong_port \
    $order_grpc_port $order_grpc_wrong_port; do
    wait_port "$port" || fail "nothing listens on port $port"
done

go_client() { # socket-name, then client flags
    local name=$1
    shift
    "$work/go-client" -socket "unix://$work/$name.sock" "$@"
}
checks=0
expect_output() { # description, pattern, output
    if grep -q -- "$2" <<<"$3"; then
        checks=$((checks + 1))
        echo "  OK: $1"
    else
        fail "$1: expected '$2' in: $3"
    fi
}

echo "== Go client -> Java server"
out=$(go_client subscription -url "https://localhost:$payment_port/api/payments/charge" -expect "$td/payment-service")
expect_output "go-spiffe client (subscription-service) may charge" 'status=200' "$out"
expect_output "payment-service saw the Go client's SPIFFE ID" "\"caller\":\"$td/subscription-service\"" "$out"
out=$(go_client subscription -url "https://localhost:$payment_port/api/payments/refund" -expect "$td/payment-service")
expect_output "go-spiffe client (subscription-service) is denied a refund" 'status=403' "$out"
out=$(go_client subscription -url "https://localhost:$payment_port/api/payments/charge" -expect "$td/someone-else" || true)
expect_output "go-spiffe client expecting another server ID refuses payment-service" 'unexpected ID' "$out"

echo "== Java client -> Go server"
out=$(go_client storefront -url "https://localhost:$order_port/api/orders" -expect "$td/order-service" -body '{"amount":7}')
expect_output "order-service charged through the go-spiffe server" 'status=200' "$out"
expect_output "the go-spiffe server saw order-service's SPIFFE ID" "\"caller\":\"$td/order-service\"" "$out"
out=$(go_client storefront -url "https://localhost:$order_wrong_port/api/orders" -expect "$td/order-service")
expect_output "order-service expecting another ID refuses the go-spiffe server" 'status=502' "$out"
expect_output "and says which ID it expected and which was presented" "expected $td/not-the-go-server, presented $td/go-payment-service" "$out"
out=$(go_client storefront -url "https://localhost:$goserver_port/api/payments/charge" -expect "$td/go-payment-service" || true)
expect_output "the go-spiffe server refuses a caller it does not authorize" 'error=' "$out"

# The Go servers issue session tickets and close connections idle for 1 s, so orders 2 s apart each come on a
# new connection; a resumed one would skip the Java client's check of the server and its SVID of now.
expect_full_handshakes() { # what (HTTP or gRPC), the Go server's log, order-service's port
    local what=$1 log=$2 port=$3 seen out charges connections resumed
    seen=$(grep -c "caller=$td/order-service " "$log" || true)
    for _ in 1 2 3 4 5; do
        sleep 2
        out=$(go_client storefront -url "https://localhost:$port/api/orders" -expect "$td/order-service" -body '{"amount":1}')
        grep -q 'status=200' <<<"$out" || fail "order-service could not charge over $what through the go-spiffe server: $out"
    done
    charges=$(grep "caller=$td/order-service " "$log" | tail -n +$((seen + 1)))
    connections=$(sed -n 's/.*request from \([^ ]*\) .*/\1/p' <<<"$charges" | sort -u | wc -l)
    resumed=$(grep -c 'handshake=resumed' <<<"$charges" || true)
    [ "$connections" -eq 5 ] || fail "expected 5 $what charges on 5 new connections, the go-spiffe server saw: $charges"
    checks=$((checks + 1))
    echo "  OK: 5 $what charges from order-service came on 5 new connections"
    [ "$resumed" -eq 0 ] || fail "$resumed of 5 $what connections from order-service resumed a TLS session: $charges"
    checks=$((checks + 1))
    echo "  OK: none of them resumed a TLS session: each was a full, verified handshake"
}

echo "== Java client -> Go server: a full handshake on every new connection"
expect_full_handshakes HTTP "$work/go-server.log" "$order_port"

echo "== gRPC: go-spiffe client (grpccredentials) -> payment-service's gRPC API (Boot's gRPC server)"
go_grpc() { # socket-name, then client flags
    local name=$1
    shift
    "$work/go-grpc-client" -socket "unix://$work/$name.sock" "$@"
}
out=$(go_grpc order -target "localhost:$payment_grpc_port" -expect "$td/payment-service" -method refund)
expect_output "go-spiffe gRPC client (order-service) may refund" 'code=OK status=refunded' "$out"
expect_output "payment-service's gRPC API saw the Go client's SPIFFE ID" "caller=$td/order-service" "$out"
out=$(go_grpc subscription -target "localhost:$payment_grpc_port" -expect "$td/payment-service" -method refund)
expect_output "go-spiffe gRPC client (subscription-service) is denied a refund" 'code=PermissionDenied' "$out"
out=$(go_grpc subscription -target "localhost:$payment_grpc_port" -expect "$td/someone-else" -method charge)
expect_output "go-spiffe gRPC client expecting another server ID refuses payment-service" 'code=Unavailable.*unexpected ID' "$out"

echo "== gRPC: order-service (payment.transport=grpc) -> go-spiffe gRPC server"
out=$(go_client storefront -url "https://localhost:$order_grpc_port/api/orders" -expect "$td/order-service" -body '{"amount":9}')
expect_output "order-service charged over gRPC through the go-spiffe server" 'status=200' "$out"
expect_output "the go-spiffe gRPC server saw order-service's SPIFFE ID" "\"caller\":\"$td/order-service\"" "$out"
expect_output "and it went over gRPC" '"transport":"grpc"' "$out"
out=$(go_client storefront -url "https://localhost:$order_grpc_wrong_port/api/orders" -expect "$td/order-service")
expect_output "order-service expecting another ID refuses the go-spiffe gRPC server" 'status=502' "$out"
expect_output "and says which ID it expected and which was presented" "expected $td/not-the-go-server, presented $td/go-payment-service" "$out"
out=$(go_grpc storefront -target "localhost:$go_grpc_port" -expect "$td/go-payment-service" -method charge)
expect_output "the go-spiffe gRPC server refuses a caller it does not authorize" 'code=Unavailable' "$out"

echo "== gRPC: order-service -> go-spiffe gRPC server, a full handshake on every new connection"
expect_full_handshakes gRPC "$work/go-grpc-server.log" "$order_grpc_port"

echo "== A stream of Go requests to payment-service across two rotations (SVIDs live 20 s)"
out=$(go_client subscription -url "https://localhost:$payment_port/api/payments/charge" -expect "$td/payment-service" \
    -for 25s -interval 250ms) || fail "requests failed during rotation: $out"
summary=$(tail -1 <<<"$out")
echo "  $summary"
serials=$(sed -n 's/.*serials=\([0-9]*\).*/\1/p' <<<"$summary")
[ "${serials:-0}" -ge 3 ] || fail "expected at least 3 served certificates (2 rotations), got: $summary"
checks=$((checks + 1))
echo "  OK: no failure, and payment-service rotated its SVID under load"

echo "interop with go-spiffe: all $checks checks passed"
