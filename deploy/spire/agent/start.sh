#!/bin/sh
# Waits for the join token the server's bootstrap writes, then runs the SPIRE agent with it.
set -eu

TOKEN_FILE=/run/spire/bootstrap/join_token

until [ -s "$TOKEN_FILE" ]; do
    sleep 1
done

exec /opt/spire/bin/spire-agent run -config /opt/spire/conf/agent/agent.conf -joinToken "$(cat "$TOKEN_FILE")"
