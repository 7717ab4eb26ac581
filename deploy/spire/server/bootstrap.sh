#!/bin/sh
# Starts the SPIRE server, then (once it is healthy) creates a join token for the agent and the
# registration entries from entries.txt, and keeps running the server.
set -eu

CONF=/opt/spire/conf/server/server.conf
SOCKET=/tmp/spire-server/private/api.sock
BOOTSTRAP=/run/spire/bootstrap
AGENT_ID=spiffe://example.org/agent/local

/opt/spire/bin/spire-server run -config "$CONF" &
server=$!
trap 'kill "$server"' TERM INT

until /opt/spire/bin/spire-server healthcheck -socketPath "$SOCKET" >/dev/null 2>&1; do
    sleep 1
done

if [ ! -s "$BOOTSTRAP/join_token" ]; then
    token=$(/opt/spire/bin/spire-server token generate -socketPath "$SOCKET" -spiffeID "$AGENT_ID" -ttl 3600 \
        | sed -n 's/^Token: //p')
    printf '%s\n' "$token" > "$BOOTSTRAP/join_token.tmp"
    mv "$BOOTSTRAP/join_token.tmp" "$BOOTSTRAP/join_token"
fi

grep -v '^#' /opt/spire/conf/entries.txt | while read -r id selector; do
    [ -n "$id" ] || continue
    if ! /opt/spire/bin/spire-server entry show -socketPath "$SOCKET" -spiffeID "$id" | grep -q "$id"; then
        /opt/spire/bin/spire-server entry create -socketPath "$SOCKET" -parentID "$AGENT_ID" -spiffeID "$id" \
            -selector "$selector" -x509SVIDTTL 300
    fi
done

wait "$server"
