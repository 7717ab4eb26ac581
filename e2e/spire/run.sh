#!/usr/bin/env bash
# The starter against real SPIRE (v1.13.3, built from its Go module and cached, see build-spire.sh):
# two SPIRE servers and agents (example.org and partner.org, federated through their bundle endpoints),
# the sample services and go-spiffe workloads each under its own Unix user, identified by unix:uid
# selectors. Checks startup, authorization, federation, go-spiffe interop, and a continuous stream of
# orders across SVID rotations, an agent kill and restart, a server outage and a CA rotation, and the JWT bundles.
#
# Local processes only (no containers); run as root (it creates the workload users). Needs Java 17+, Go,
# gcc (first SPIRE build only), curl, openssl, setpriv. Fails loudly; stops everything it started, also
# on failure and Ctrl-C; leaves its logs in the directory it prints.
#
# The SPIRE configuration is deploy/spire's, the files docker-compose.yml mounts, with addresses, ports,
# paths and lifetimes substituted.
set -euo pipefail
# set -e ends the run at a failing command outside fail(): say which, rather than stop without a word.
trap 'echo "e2e/spire/run.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/../.."

[[ $(id -u) == 0 ]] || { echo "e2e/spire/run.sh must run as root (it creates one Unix user per workload)" >&2; exit 1; }
for tool in java go curl openssl setpriv useradd; do
    command -v "$tool" >/dev/null || { echo "e2e/spire/run.sh needs $tool" >&2; exit 1; }
done

# Lifetimes: a workload SVID lives 30 s (the agent renews it at half-life, so every ~15 s); the example.org CA
# lives 4 min, so its successor is prepared (published in the bundle) at 2 min and activated at 3 min 20 s.
SVID_TTL=40
CA_TTL=4m
CA_ACTIVATION_SECONDS=200  # five sixths of CA_TTL: SPIRE's activation threshold
# spire-server stays down longer than one rotation interval (SVID_TTL / 2), and short enough that the SVIDs
# renewed just before it outlive it plus the recovery: the server's start, then the agent's next sync after its
# failed ones, which backs off (failed syncs seen at +10 and +18 s, the good one at about +30 s after the stop).
# With 30 s SVIDs that recovery equalled the lifetime and a stream failed at random; 40 s SVIDs leave ~10 s.
OUTAGE_SECONDS=21

started=$(date +%s)
work=$(mktemp -d /tmp/spire-e2e.XXXXXX)
chmod 755 "$work"
logs=$work/logs
mkdir -p "$logs"

declare -A pids=()
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for name in "${!pids[@]}"; do
        kill "${pids[$name]}" 2>/dev/null || true
    done
    for _ in $(seq 1 50); do
        local alive=0
        for name in "${!pids[@]}"; do
            kill -0 "${pids[$name]}" 2>/dev/null && alive=1
        done
        ((alive)) || break
        sleep 0.2
    done
    for name in "${!pids[@]}"; do
        kill -9 "${pids[$name]}" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    echo "SPIRE e2e logs: $logs"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

fail() {
    echo "SPIRE E2E FAILED: $*" >&2
    for log in "$logs"/*.log; do
        echo "--- $log (last lines)" >&2
        tail -6 "$log" | cut -c1-400 >&2
    done
    exit 1
}
step() { echo "== [$(($(date +%s) - started))s] $*"; }
checks=0
ok() { checks=$((checks + 1)); echo "  OK: $*"; }
expect_output() { # description, pattern, output
    grep -q -- "$2" <<<"$3" || fail "$1: expected '$2' in: $3"
    ok "$1"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}
wait_for() { # seconds, description, command...
    local seconds=$1 what=$2
    shift 2
    local deadline=$(($(date +%s) + seconds))
    until "$@" >/dev/null 2>&1; do
        (($(date +%s) < deadline)) || fail "gave up after ${seconds}s waiting for $what"
        sleep 0.5
    done
}

step "SPIRE binaries"
spire_bin=$(bash e2e/spire/build-spire.sh | tail -1)
"$spire_bin/spire-server" --version 2>&1 | sed 's/^/  spire-server /'

step "Java samples and go-spiffe programs"
# Always packaged from this checkout: jars left from an older build would test older code.
./mvnw -q -B -ntp -DskipTests package -pl sample-payment-service,sample-order-service -am
mkdir -p "$work/bin"
cp sample-payment-service/target/sample-payment-service-exec.jar "$work/bin/payment-service.jar"
cp sample-order-service/target/sample-order-service-exec.jar "$work/bin/order-service.jar"
cp e2e/spire/payment-service-e2e.yml "$work/bin/"
(cd e2e/interop && go build -o "$work/bin/go-client" ./client && go build -o "$work/bin/go-server" ./server \
    && go build -o "$work/bin/go-grpc-client" ./grpcclient && go build -o "$work/bin/go-grpc-server" ./grpcserver)
chmod -R a+rX "$work/bin"

# ---------------------------------------------------------------------------------------------------------
# Workload users: one per workload, so the agent's unix attestor tells them apart by uid.
td=spiffe://example.org/ns/production/sa
partner=spiffe://partner.org/ns/billing/sa
declare -A uid=()
user_for() { echo "spiffe-e2e-$1"; }
ensure_user() {
    local user
    user=$(user_for "$1")
    id -u "$user" >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$user"
    uid[$1]=$(id -u "$user")
}
for workload in payment-service order-service subscription-service storefront go-payment-service gateway \
    partner-reconciler partner-intruder no-entry; do
    ensure_user "$workload"
done
# as_workload NAME sets $as to the command prefix that runs a command as that workload's user. env and
# setpriv exec, so a command started in the background with it has the pid we record and stop.
as=()
socket_of() { echo "unix://$work/$1/sockets/agent.sock"; }
as_workload() { as=(env HOME="$work" setpriv --reuid="${uid[$1]}" --regid="${uid[$1]}" --clear-groups --); }

# ---------------------------------------------------------------------------------------------------------
# SPIRE: deploy/spire's files with this run's values. A key missing from a file fails the run, so the
# files and this script cannot drift apart unnoticed.
render() { # template, output, then key value pairs
    local template=$1 output=$2
    shift 2
    cp "$template" "$output"
    while (($#)); do
        grep -Eq "^[[:space:]]*$1 = " "$output" || fail "$template has no '$1 = ' line to substitute"
        sed -i -E "s#^([[:space:]]*$1 = )(\"?)[^\"]*\"?\$#\1\2$2\2#" "$output"
        shift 2
    done
}

declare -A server_port=() bundle_port=()
start_server() { # name (a or b), trust domain, ca_ttl
    local name=$1 domain=$2 ca_ttl=$3 dir=$work/$1
    mkdir -p "$dir/data"
    chmod 755 "$dir"
    server_port[$name]=$(free_port)
    bundle_port[$name]=$(free_port)
    render deploy/spire/server/server.conf "$dir/server.conf" \
        bind_address 127.0.0.1 bind_port "${server_port[$name]}" socket_path "$dir/server.sock" \
        trust_domain "$domain" data_dir "$dir/data" log_level DEBUG \
        ca_ttl "$ca_ttl" default_x509_svid_ttl "${SVID_TTL}s" agent_ttl 2m \
        address 127.0.0.1 port "${bundle_port[$name]}" refresh_hint 1m \
        connection_string "$dir/data/datastore.sqlite3" keys_path "$dir/data/keys.json"
    run_server "$name"
}
run_server() {
    local name=$1 dir=$work/$1
    "$spire_bin/spire-server" run -config "$dir/server.conf" >>"$logs/spire-server-$name.log" 2>&1 &
    pids[spire-server-$name]=$!
    wait_for 60 "spire-server $name" "$spire_bin/spire-server" healthcheck -socketPath "$dir/server.sock"
}
server() { # name, then spire-server arguments (the socket is added)
    local name=$1 command=$2
    shift 2
    case $command in
        bundle | federation | entry | token) local sub=$1; shift; "$spire_bin/spire-server" "$command" "$sub" -socketPath "$work/$name/server.sock" "$@" ;;
        *) "$spire_bin/spire-server" "$command" -socketPath "$work/$name/server.sock" "$@" ;;
    esac
}

declare -A join_token=()
start_agent() { # name, trust domain
    local name=$1 domain=$2 dir=$work/$1
    mkdir -p "$dir/agent-data" "$dir/sockets"
    chmod 755 "$dir/sockets"
    render deploy/spire/agent/agent.conf "$dir/agent.conf" \
        data_dir "$dir/agent-data" log_level DEBUG server_address 127.0.0.1 server_port "${server_port[$name]}" \
        socket_path "$dir/sockets/agent.sock" trust_domain "$domain" directory "$dir/agent-data"
    join_token[$name]=$(server "$name" token generate -spiffeID "spiffe://$domain/agent/local" -ttl 600 | sed -n 's/^Token: //p')
    [[ -n ${join_token[$name]} ]] || fail "no join token from spire-server $name"
    run_agent "$name"
}
run_agent() {
    local name=$1 dir=$work/$1
    "$spire_bin/spire-agent" run -config "$dir/agent.conf" -joinToken "${join_token[$name]}" >>"$logs/spire-agent-$name.log" 2>&1 &
    pids[spire-agent-$name]=$!
    wait_for 60 "spire-agent $name" "$spire_bin/spire-agent" healthcheck -socketPath "$dir/sockets/agent.sock"
}

create_entry() { # server name, trust domain, SPIFFE ID, workload, extra entry create arguments
    local name=$1 domain=$2 id=$3 workload=$4
    shift 4
    server "$name" entry create -parentID "spiffe://$domain/agent/local" -spiffeID "$id" \
        -selector "unix:uid:${uid[$workload]}" -x509SVIDTTL "$SVID_TTL" "$@" >>"$logs/entries.log"
}

# ---------------------------------------------------------------------------------------------------------
# Started before SPIRE, so that they are up well before the CA rotation; they wait for the agent's socket.
step "Java services: payment-service (no entry yet), order-service, two order-services in front of a go-spiffe server"
payment_port=$(free_port) payment_mgmt=$(free_port) payment_grpc_port=$(free_port)
order_port=$(free_port) order_mgmt=$(free_port)
goserver_port=$(free_port) go_grpc_port=$(free_port)
order_go_port=$(free_port) order_go_wrong_port=$(free_port)
order_grpc_go_port=$(free_port) order_grpc_go_wrong_port=$(free_port)
java_opts=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k)
start_java() { # name, workload, jar, server port, management port, then env assignments, then -- and arguments
    local name=$1 workload=$2 jar=$3 port=$4 mgmt=$5
    shift 5
    local env=()
    while (($#)) && [[ $1 != -- ]]; do env+=("$1"); shift; done
    (($#)) && shift
    as_workload "$workload"
    "${as[@]}" env SPIFFE_ENDPOINT_SOCKET="$(socket_of a)" SERVER_PORT="$port" MANAGEMENT_PORT="$mgmt" \
        GRPC_PORT="$(free_port)" "${env[@]}" java "${java_opts[@]}" -jar "$work/bin/$jar" \
        --logging.level.io.github.spiffeboot.source.WorkloadApiX509Source=DEBUG "$@" >"$logs/$name.log" 2>&1 &
    pids[$name]=$!
}
start_java payment-service payment-service payment-service.jar "$payment_port" "$payment_mgmt" \
    SPIFFE_WORKLOAD_API_STARTUP_TIMEOUT=120s GRPC_PORT="$payment_grpc_port" -- --spring.config.additional-location="file:$work/bin/payment-service-e2e.yml"
start_java order-service order-service order-service.jar "$order_port" "$order_mgmt" \
    SPIFFE_WORKLOAD_API_STARTUP_TIMEOUT=120s PAYMENT_URL="https://localhost:$payment_port"
start_java order-service-to-go order-service order-service.jar "$order_go_port" "$(free_port)" \
    SPIFFE_WORKLOAD_API_STARTUP_TIMEOUT=120s PAYMENT_URL="https://localhost:$goserver_port" \
    SPIFFE_CLIENT_SERVERS_PAYMENT_IDS="$td/go-payment-service"
start_java order-service-to-go-wrong order-service order-service.jar "$order_go_wrong_port" "$(free_port)" \
    SPIFFE_WORKLOAD_API_STARTUP_TIMEOUT=120s PAYMENT_URL="https://localhost:$goserver_port" \
    SPIFFE_CLIENT_SERVERS_PAYMENT_IDS="$td/not-the-go-server"
start_java order-service-grpc-to-go order-service order-service.jar "$order_grpc_go_port" "$(free_port)" \
    SPIFFE_WORKLOAD_API_STARTUP_TIMEOUT=120s PAYMENT_TRANSPORT=grpc PAYMENT_GRPC_TARGET="localhost:$go_grpc_port" \
    SPIFFE_CLIENT_SERVERS_PAYMENT_IDS="$td/go-payment-service"
start_java order-service-grpc-to-go-wrong order-service order-service.jar "$order_grpc_go_wrong_port" "$(free_port)" \
    SPIFFE_WORKLOAD_API_STARTUP_TIMEOUT=120s PAYMENT_TRANSPORT=grpc PAYMENT_GRPC_TARGET="localhost:$go_grpc_port" \
    SPIFFE_CLIENT_SERVERS_PAYMENT_IDS="$td/not-the-go-server"

step "SPIRE servers: example.org (CA lives $CA_TTL) and partner.org"
start_server a example.org "$CA_TTL"
ca_started=$(date +%s)
server a bundle show >"$work/example.org.initial.pem"
start_server b partner.org 24h

step "Federation: bundles bootstrapped with bundle show/set, then refreshed from the https_spiffe bundle endpoints"
server a bundle show -format spiffe >"$work/example.org.bundle"
server b bundle show -format spiffe >"$work/partner.org.bundle"
server a bundle set -format spiffe -id spiffe://partner.org -path "$work/partner.org.bundle" >/dev/null
server b bundle set -format spiffe -id spiffe://example.org -path "$work/example.org.bundle" >/dev/null
server a federation create -trustDomain partner.org -bundleEndpointURL "https://127.0.0.1:${bundle_port[b]}" \
    -bundleEndpointProfile https_spiffe -endpointSpiffeID spiffe://partner.org/spire/server >>"$logs/entries.log"
server b federation create -trustDomain example.org -bundleEndpointURL "https://127.0.0.1:${bundle_port[a]}" \
    -bundleEndpointProfile https_spiffe -endpointSpiffeID spiffe://example.org/spire/server >>"$logs/entries.log"

step "SPIRE agents (join token, key on disk)"
start_agent a example.org
start_agent b partner.org

step "Registration entries (deploy/spire/entries.txt, each uid mapped to this machine's user of that workload)"
entry_ids=()
while read -r id selector; do
    [[ -z $id || $id == \#* ]] && continue
    [[ $selector == unix:uid:* ]] || fail "entries.txt: unexpected selector $selector"
    entry_ids+=("$id")
done <deploy/spire/entries.txt
((${#entry_ids[@]} >= 4)) || fail "entries.txt lists ${#entry_ids[@]} entries"
for id in "${entry_ids[@]}"; do
    workload=${id##*/}
    [[ -n ${uid[$workload]:-} ]] || fail "entries.txt names $workload, which this script has no user for"
    # payment-service's entry is created later: it starts before its entry exists.
    [[ $workload == payment-service ]] && continue
    create_entry a example.org "$id" "$workload"
done
create_entry a example.org "$td/go-payment-service" go-payment-service
# The edge gateway payment-service trusts as a proxy for JWT-SVIDs (spiffe.jwt.trusted-proxies in the sample).
create_entry a example.org "spiffe://example.org/ns/edge/sa/gateway" gateway
create_entry b partner.org "$partner/reconciler" partner-reconciler -federatesWith spiffe://example.org
create_entry b partner.org "$partner/intruder" partner-intruder -federatesWith spiffe://example.org

# A workload whose uid has no entry: it must fail to start (checked below).
as_workload no-entry
"${as[@]}" env SPIFFE_ENDPOINT_SOCKET="$(socket_of a)" SERVER_PORT="$(free_port)" MANAGEMENT_PORT="$(free_port)" \
    GRPC_PORT="$(free_port)" SPIFFE_WORKLOAD_API_STARTUP_TIMEOUT=10s java "${java_opts[@]}" -jar "$work/bin/payment-service.jar" >"$logs/no-entry.log" 2>&1 &
pids[no-entry]=$!
as_workload go-payment-service
"${as[@]}" "$work/bin/go-server" -socket "$(socket_of a)" -addr "127.0.0.1:$goserver_port" \
    -authorize "$td/order-service" >"$logs/go-server.log" 2>&1 &
pids[go-server]=$!
as_workload go-payment-service
"${as[@]}" "$work/bin/go-grpc-server" -socket "$(socket_of a)" -addr "127.0.0.1:$go_grpc_port" \
    -authorize "$td/order-service" >"$logs/go-grpc-server.log" 2>&1 &
pids[go-grpc-server]=$!
# The agent logs each workload it has no identity for (and answers it PermissionDenied), with its selectors.
denied() { grep 'No identity issued' "$logs/spire-agent-a.log" | grep -qE "uid:${uid[$1]}[^0-9]"; }
wait_for 120 "payment-service to be refused an SVID (no entry yet)" denied payment-service
ok "payment-service started before its entry: the agent answered it 'No identity issued' (PermissionDenied)"
create_entry a example.org "$td/payment-service" payment-service -federatesWith spiffe://partner.org

ready() { curl -fsS "http://127.0.0.1:$1/actuator/health/readiness"; }
wait_for 180 "payment-service readiness" ready "$payment_mgmt"
wait_for 180 "order-service readiness" ready "$order_mgmt"
expect_output "payment-service came up once its entry synced, with the SVID of its entry" \
    "SPIFFE identity $td/payment-service " "$(cat "$logs/payment-service.log")"
expect_output "order-service runs with the SVID of its entry" "SPIFFE identity $td/order-service " "$(cat "$logs/order-service.log")"

step "A workload whose uid has no entry fails to start, with the failure analyzer's message"
no_entry_status=0
wait "${pids[no-entry]}" || no_entry_status=$?
unset 'pids[no-entry]'
((no_entry_status != 0)) || fail "a workload with no entry started"
no_entry_log=$(cat "$logs/no-entry.log")
expect_output "it stops with APPLICATION FAILED TO START" "APPLICATION FAILED TO START" "$no_entry_log"
expect_output "saying no SVID arrived within the startup timeout" "No X.509-SVID arrived from the SPIFFE Workload API" "$no_entry_log"
expect_output "and what the agent answered" "PERMISSION_DENIED" "$no_entry_log"

# ---------------------------------------------------------------------------------------------------------
client() { # workload, agent (a or b), then go-client arguments (in the foreground)
    local workload=$1 agent=$2
    shift 2
    as_workload "$workload"
    "${as[@]}" "$work/bin/go-client" -socket "$(socket_of "$agent")" "$@"
}
payment_url=https://localhost:$payment_port/api/payments

step "Authorization with SPIRE-issued SVIDs"
out=$(client storefront a -url "https://localhost:$order_port/api/orders" -expect "$td/order-service" -body '{"amount":7}' || true)
expect_output "storefront -> order-service -> payment-service charges" '"status":"charged"' "$out"
expect_output "payment-service saw order-service's SPIFFE ID" "\"caller\":\"$td/order-service\"" "$out"
out=$(client subscription-service a -url "$payment_url/charge" -expect "$td/payment-service" || true)
expect_output "subscription-service may charge" 'status=200' "$out"
out=$(client subscription-service a -url "$payment_url/refund" -expect "$td/payment-service" || true)
expect_output "subscription-service gets 403 on refund" 'status=403' "$out"
curl_status=0
curl_out=$(curl -sS -k -o /dev/null -w '%{http_code}' -X POST "$payment_url/charge" 2>&1) || curl_status=$?
((curl_status != 0)) || fail "a caller with no certificate got an answer: $curl_out"
ok "a caller with no certificate is refused (curl exit $curl_status: ${curl_out//$'\n'/ })"

step "JWT-SVIDs from SPIRE through a TLS-terminating gateway (payment-service trusts it as a proxy)"
jwt_for() { # workload, audience: that workload's JWT-SVID from the SPIRE agent
    local out
    out=$(client "$1" a -jwt-audience "$2" || true)
    sed -n 's/^token=\([^ ]*\) .*/\1/p' <<<"$out" | grep . || fail "$1 got no JWT-SVID for $2 from SPIRE: $out"
}
token=$(jwt_for order-service "$td/payment-service")
ok "order-service fetched a JWT-SVID for payment-service from the SPIRE agent (FetchJWTSVID)"
out=$(client gateway a -url "$payment_url/charge" -expect "$td/payment-service" -bearer "$token" || true)
expect_output "the gateway, forwarding order-service's SPIRE-issued JWT-SVID, charges" 'status=200' "$out"
expect_output "payment-service saw order-service (from the token) as the caller, not the gateway" \
    "\"caller\":\"$td/order-service\"" "$out"
replayed=$(jwt_for order-service "$td/ledger-service")
out=$(client gateway a -url "$payment_url/charge" -expect "$td/payment-service" -bearer "$replayed" || true)
expect_output "order-service's SPIRE-issued token for another audience is refused with 401" 'status=401' "$out"
out=$(client subscription-service a -url "$payment_url/refund" -expect "$td/payment-service" -bearer "$token" || true)
expect_output "a token from a peer that is no trusted proxy grants nothing (subscription-service still gets 403)" \
    'status=403' "$out"

step "Federation: partner.org workloads (their own SPIRE) calling payment-service (example.org)"
out=$(client partner-reconciler b -url "$payment_url/charge" -expect "$td/payment-service" || true)
expect_output "partner.org's reconciler, allowed by payment-service's rules, may charge" 'status=200' "$out"
expect_output "payment-service saw the partner's SPIFFE ID" "\"caller\":\"$partner/reconciler\"" "$out"
out=$(client partner-intruder b -url "$payment_url/charge" -expect "$td/payment-service" || true)
expect_output "partner.org's intruder, not in the rules, gets 403" 'status=403' "$out"

step "payment-service checks a partner.org ID against partner.org's bundle only"
# A certificate for the partner's ID signed by example.org's own CA (its key is in the server's KeyManager
# "disk" file) must be refused; the same forgery with an example.org ID is accepted, so the refusal is the
# trust-domain binding, not the forgery.
forge=$work/forge
mkdir -p "$forge"
openssl x509 -in "$work/example.org.initial.pem" -noout -pubkey >"$forge/ca.pub"
while read -r key; do
    base64 -d <<<"$key" >"$forge/key.der"
    if [[ $(openssl pkey -inform DER -in "$forge/key.der" -pubout 2>/dev/null) == "$(cat "$forge/ca.pub")" ]]; then
        openssl pkey -inform DER -in "$forge/key.der" -out "$forge/ca.key"
    fi
done < <(grep -o '"[^"]*": *"[A-Za-z0-9+/=]*"' "$work/a/data/keys.json" | sed 's/.*: *"\(.*\)"/\1/')
[[ -s $forge/ca.key ]] || fail "no key in $work/a/data/keys.json matches example.org's CA"
forged_call() { # SPIFFE ID: curl status code of a charge with a certificate for that ID signed by example.org's CA
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$forge/leaf.key" -subj "/O=forged" \
        -out "$forge/leaf.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=URI:$1" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyAgreement" "extendedKeyUsage=clientAuth,serverAuth" >"$forge/leaf.ext"
    openssl x509 -req -in "$forge/leaf.csr" -CA "$work/example.org.initial.pem" -CAkey "$forge/ca.key" -CAcreateserial \
        -days 1 -extfile "$forge/leaf.ext" -out "$forge/leaf.pem" 2>/dev/null
    curl -sS -k --cert "$forge/leaf.pem" --key "$forge/leaf.key" -o /dev/null -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' -d '{}' "$payment_url/charge" 2>&1 || true
}
out=$(forged_call "$td/subscription-service")
expect_output "control: subscription-service's ID on a certificate from example.org's CA charges" '^200' "$out"
out=$(forged_call "$partner/reconciler")
[[ $out != *200* ]] || fail "payment-service accepted partner.org's ID signed by example.org's CA"
ok "partner.org's reconciler ID on a certificate from example.org's CA is refused (${out//$'\n'/ })"

step "go-spiffe interop with SPIRE-issued SVIDs"
out=$(client subscription-service a -url "$payment_url/charge" -expect "$td/someone-else" || true)
expect_output "go-spiffe client expecting another server ID refuses payment-service" 'unexpected ID' "$out"
wait_for 60 "the go-spiffe server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$goserver_port"
wait_for 180 "order-service in front of the go-spiffe server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$order_go_port"
wait_for 180 "order-service expecting another ID" bash -c "exec 3<>/dev/tcp/127.0.0.1/$order_go_wrong_port"
out=$(client storefront a -url "https://localhost:$order_go_port/api/orders" -expect "$td/order-service" -body '{"amount":7}' || true)
expect_output "order-service (Java) charged through the go-spiffe server" 'status=200' "$out"
expect_output "the go-spiffe server saw order-service's SPIFFE ID" "\"caller\":\"$td/order-service\"" "$out"
out=$(client storefront a -url "https://localhost:$order_go_wrong_port/api/orders" -expect "$td/order-service" || true)
expect_output "order-service expecting another ID refuses the go-spiffe server" 'status=502' "$out"
expect_output "and says which ID it expected and which was presented" \
    "expected $td/not-the-go-server, presented $td/go-payment-service" "$out"
out=$(client storefront a -url "https://localhost:$goserver_port/api/payments/charge" -expect "$td/go-payment-service" || true)
expect_output "the go-spiffe server refuses a caller it does not authorize" 'error=' "$out"
grpc_client() { # workload, then go-grpc-client arguments (agent a, in the foreground)
    local workload=$1
    shift
    as_workload "$workload"
    "${as[@]}" "$work/bin/go-grpc-client" -socket "$(socket_of a)" "$@"
}
out=$(grpc_client order-service -target "localhost:$payment_grpc_port" -expect "$td/payment-service" -method refund || true)
expect_output "go-spiffe gRPC client (order-service) refunds through payment-service's gRPC API" 'code=OK status=refunded' "$out"
expect_output "payment-service's gRPC API saw order-service's SPIFFE ID" "caller=$td/order-service" "$out"
out=$(grpc_client subscription-service -target "localhost:$payment_grpc_port" -expect "$td/payment-service" -method refund || true)
expect_output "go-spiffe gRPC client (subscription-service) gets PERMISSION_DENIED on refund" 'code=PermissionDenied' "$out"
wait_for 60 "the go-spiffe gRPC server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$go_grpc_port"
wait_for 180 "order-service over gRPC in front of the go-spiffe gRPC server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$order_grpc_go_port"
wait_for 180 "order-service over gRPC expecting another ID" bash -c "exec 3<>/dev/tcp/127.0.0.1/$order_grpc_go_wrong_port"
out=$(client storefront a -url "https://localhost:$order_grpc_go_port/api/orders" -expect "$td/order-service" -body '{"amount":7}' || true)
expect_output "order-service (Java, payment.transport=grpc) charged through the go-spiffe gRPC server" 'status=200' "$out"
expect_output "the go-spiffe gRPC server saw order-service's SPIFFE ID, over gRPC" "\"caller\":\"$td/order-service\",\"transport\":\"grpc\"" "$out"
out=$(client storefront a -url "https://localhost:$order_grpc_go_wrong_port/api/orders" -expect "$td/order-service" || true)
expect_output "order-service over gRPC expecting another ID refuses the go-spiffe gRPC server" 'status=502' "$out"
expect_output "and says which ID it expected and which was presented" \
    "expected $td/not-the-go-server, presented $td/go-payment-service" "$out"
for name in order-service-to-go order-service-to-go-wrong go-server order-service-grpc-to-go order-service-grpc-to-go-wrong \
    go-grpc-server; do
    kill "${pids[$name]}" 2>/dev/null || true
    unset "pids[$name]"
done


# ---------------------------------------------------------------------------------------------------------
metric() { # management port, Prometheus meter name: the sum of its samples
    curl -fsS "http://127.0.0.1:$1/actuator/prometheus" | awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $2 } END { print s + 0 }'
}
agent_log_since() { tail -n +"$(($2 + 1))" "$logs/spire-agent-$1.log"; }
renewed_since() { # agent, log line, SPIFFE IDs...: every ID got a new X509-SVID after that line
    local agent=$1 mark=$2
    shift 2
    local recent
    recent=$(agent_log_since "$agent" "$mark" | grep 'Renewing X509-SVID' || true)
    for id in "$@"; do grep -q "spiffe_id=\"$id\"" <<<"$recent" || return 1; done
}
lines() { wc -l <"$logs/$1.log"; }
ski_of() { openssl x509 -noout -ext subjectKeyIdentifier 2>/dev/null | tail -1 | tr -d ' :' | tr a-f A-F; }
presented_leaf() { # port: the certificate the server presents (before it asks for ours)
    # s_client's own exit status is noise here: it may read the server's refusal of our missing certificate
    # (exit 1), or be cut off by SIGPIPE when openssl x509 stops reading after the first certificate. Under
    # pipefail either made a successful look at the certificate fail at random; only "a leaf came back" counts.
    local chain
    chain=$(openssl s_client -connect "127.0.0.1:$1" -showcerts </dev/null 2>/dev/null) || true
    openssl x509 2>/dev/null <<<"$chain"
}

# The stream must outlast the CA rotation: the new CA is activated CA_ACTIVATION_SECONDS after the server
# started (checked every 10 s), and workloads renew onto it within one rotation interval and one agent sync.
now=$(date +%s)
stream_end=$((ca_started + CA_ACTIVATION_SECONDS + 10 + SVID_TTL / 2 + 5 + 15))
((stream_end >= now + 100)) || stream_end=$((now + 100))
stream_seconds=$((stream_end - now))
initial_cas=$(grep -c 'BEGIN CERTIFICATE' "$work/example.org.initial.pem")
rotations_before=$(metric "$payment_mgmt" spiffe_svid_rotations_total)

step "A continuous stream of orders (storefront -> order-service -> payment-service) and of partner.org charges, ${stream_seconds}s"
as_workload storefront
"${as[@]}" "$work/bin/go-client" -socket "$(socket_of a)" -url "https://localhost:$order_port/api/orders" \
    -expect "$td/order-service" -body '{"amount":3}' -for "${stream_seconds}s" -interval 300ms >"$logs/stream-orders.log" 2>&1 &
pids[stream-orders]=$!
as_workload partner-reconciler
"${as[@]}" "$work/bin/go-client" -socket "$(socket_of b)" -url "$payment_url/charge" -expect "$td/payment-service" \
    -for "${stream_seconds}s" -interval 1s >"$logs/stream-partner.log" 2>&1 &
pids[stream-partner]=$!
sleep 5

step "spire-agent (example.org) killed and restarted"
kill -9 "${pids[spire-agent-a]}"
wait "${pids[spire-agent-a]}" 2>/dev/null || true
sleep 3
mark=$(lines spire-agent-a)
run_agent a
ok "the agent restarted with the SVID it keeps on disk (no new join token)"

step "spire-server (example.org) stopped for ${OUTAGE_SECONDS}s, longer than one SVID rotation interval ($((SVID_TTL / 2))s)"
# Stopped right after the agent renewed the workloads' SVIDs, so they outlive the outage while the next
# renewal falls inside it.
wait_for 60 "the agent to renew the workloads' SVIDs after its restart" \
    renewed_since a "$mark" "$td/payment-service" "$td/order-service" "$td/storefront"
kill "${pids[spire-server-a]}"
wait "${pids[spire-server-a]}" 2>/dev/null || true
unset 'pids[spire-server-a]'
outage_started=$(date +%s)
mark=$(lines spire-agent-a)
sleep "$OUTAGE_SECONDS"
"$spire_bin/spire-agent" healthcheck -socketPath "$work/a/sockets/agent.sock" >/dev/null 2>&1 \
    && echo "  (the agent still reports healthy)" || echo "  (the agent reports unhealthy without its server, and keeps serving cached SVIDs)"
rotations_at_restart=$(metric "$payment_mgmt" spiffe_svid_rotations_total)
run_server a
echo "  server down for $(($(date +%s) - outage_started))s"
wait_for 60 "new SVIDs after the server came back" renewed_since a "$mark" "$td/payment-service" "$td/order-service"
rotated_past() { (($(metric "$1" spiffe_svid_rotations_total | cut -d. -f1) > $2)); }
wait_for 30 "payment-service to take its new SVID" rotated_past "$payment_mgmt" "$rotations_at_restart"
ok "SVIDs renewed again once the server was back, and payment-service rotated onto one"

step "Waiting for the example.org CA rotation (activation ${CA_ACTIVATION_SECONDS}s after the server's first start) while the streams run"
stream_status=0
wait "${pids[stream-orders]}" || stream_status=$?
unset 'pids[stream-orders]'
partner_status=0
wait "${pids[stream-partner]}" || partner_status=$?
unset 'pids[stream-partner]'

summary=$(tail -1 "$logs/stream-orders.log")
echo "  orders: $summary"
((stream_status == 0)) || fail "orders failed during the stream: $(grep -v 'presents serial' "$logs/stream-orders.log" | head -5)"
[[ $summary == requests=*failures=0* ]] || fail "no stream summary: $summary"
serials=$(sed -n 's/.*serials=\([0-9]*\).*/\1/p' <<<"$summary")
((serials >= 3)) || fail "expected order-service to present at least 3 SVIDs (2 rotations), got: $summary"
ok "no failed order across the agent restart, the server outage and the CA rotation; order-service presented $serials SVIDs"
partner_summary=$(tail -1 "$logs/stream-partner.log")
echo "  partner.org charges: $partner_summary"
((partner_status == 0)) || fail "partner.org charges failed during the stream: $(grep -v 'presents serial' "$logs/stream-partner.log" | head -5)"
ok "no failed partner.org charge: federation followed example.org's CA rotation"

payment_rotations=$(metric "$payment_mgmt" spiffe_svid_rotations_total)
order_rotations=$(metric "$order_mgmt" spiffe_svid_rotations_total)
((payment_rotations - rotations_before >= 2 && order_rotations >= 2)) \
    || fail "expected at least 2 SVID rotations each, payment-service $((payment_rotations - rotations_before)), order-service $order_rotations"
ok "SVIDs rotated under the stream: payment-service $((payment_rotations - rotations_before)) times, order-service $order_rotations times (spiffe.svid.rotations)"
expect_output "payment-service lost the agent's stream when it was killed" "Lost the Workload API stream" "$(cat "$logs/payment-service.log")"
[[ $(metric "$payment_mgmt" spiffe_workload_api_connected) == 1 ]] || fail "payment-service is not connected to the agent again"
ok "and is connected again (spiffe.workload.api.connected 1)"

step "CA rotation: the trust bundle changed under the running services, and the new CA signs what they present"
server a bundle show >"$work/example.org.pem"
cas=$(grep -c 'BEGIN CERTIFICATE' "$work/example.org.pem")
((cas > initial_cas)) || fail "example.org's bundle still has $cas CA(s)"
ok "example.org's bundle went from $initial_cas to $cas CA(s)"
bundle_changes=$(grep -o 'The X.509 bundle of trust domain example.org changed.*' "$logs/payment-service.log" || true)
while read -r line; do echo "  payment-service log: $line"; done <<<"$bundle_changes"
[[ -n $bundle_changes ]] || fail "payment-service's log shows no change of example.org's bundle"
ok "payment-service received the changed bundle from the Workload API while it ran (its log)"
initial_skis=$(awk '/BEGIN/,/END/' "$work/example.org.initial.pem" | csplit -s -z -f "$work/initial-ca-" - '/BEGIN CERTIFICATE/' '{*}' && for f in "$work"/initial-ca-*; do ski_of <"$f"; done)
presented_aki() {
    presented_leaf "$payment_port" | openssl x509 -noout -ext authorityKeyIdentifier 2>/dev/null | tail -1 \
        | tr -d ' :' | sed 's/^keyid//I' | tr a-f A-F
}
# The new CA signs only after its activation, and payment-service presents it only from its next SVID
# rotation on: how soon that is after the stream depends on SPIRE's timers and the machine, so wait for it.
signed_by_new_ca() { local aki; aki=$(presented_aki); [[ -n $aki ]] && ! grep -qx "$aki" <<<"$initial_skis"; }
wait_for 90 "payment-service to present an SVID signed by the new CA" signed_by_new_ca
leaf_aki=$(presented_aki)
out=$(client storefront a -url "https://localhost:$order_port/api/orders" -expect "$td/order-service" -body '{"amount":9}' || true)
expect_output "payment-service presents an SVID signed by the new CA ($leaf_aki), and order-service accepts it" '"status":"charged"' "$out"

step "JWT bundles from SPIRE: payment-service (spiffe.jwt.enabled) follows both trust domains' JWT keys"
payment_log=$(cat "$logs/payment-service.log")
expect_output "payment-service started with the JWT bundles of example.org and partner.org (FetchJWTBundles)" \
    "JWT bundles of trust domains \[\(example.org, partner.org\|partner.org, example.org\)\]" "$payment_log"
expect_output "and followed a change of example.org's JWT keys while it ran (the CA rotation's new key)" \
    "The JWT bundle of trust domain example.org changed" "$payment_log"
jwt_health=$(curl -fsS "http://127.0.0.1:$payment_mgmt/actuator/health" | python3 -c \
    'import json,sys; c=json.load(sys.stdin)["components"]["spiffeJwt"]; print(c["status"], c["details"]["workloadApiState"], sorted(c["details"]["trustDomains"]))' || true)
expect_output "its spiffeJwt health is UP, on a connected stream, with both trust domains" \
    "UP CONNECTED \['example.org', 'partner.org'\]" "$jwt_health"

echo "SPIRE e2e: all $checks checks passed in $(($(date +%s) - started))s"
