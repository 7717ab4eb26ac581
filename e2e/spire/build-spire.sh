#!/usr/bin/env bash
# Builds spire-server and spire-agent of one SPIRE release from its Go module and caches the two
# binaries outside the checkout, so only the first run on a machine pays the build (several minutes:
# cgo for sqlite). Prints the directory holding the binaries on its last line.
#
#   SPIRE_VERSION      release to build (default v1.13.3)
#   SPIFFE_E2E_CACHE   cache root (default $HOME/.cache/spiffe-spring-boot-e2e)
#
# `go install module@version` is not used: it asks the module proxy for a version list, which some
# proxies refuse; downloading the module at an exact version and building inside a writable copy
# of it needs only the module and its go.sum.
set -euo pipefail

SPIRE_VERSION="${SPIRE_VERSION:-v1.13.3}"
CACHE_ROOT="${SPIFFE_E2E_CACHE:-$HOME/.cache/spiffe-spring-boot-e2e}"
BIN_DIR="$CACHE_ROOT/spire-$SPIRE_VERSION/bin"

if [[ -x "$BIN_DIR/spire-server" && -x "$BIN_DIR/spire-agent" ]]; then
    echo "$BIN_DIR"
    exit 0
fi

command -v go >/dev/null || { echo "build-spire: Go is required" >&2; exit 1; }
command -v gcc >/dev/null || { echo "build-spire: gcc is required (cgo, sqlite)" >&2; exit 1; }

mkdir -p "$CACHE_ROOT"
work="$(mktemp -d "$CACHE_ROOT/build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

echo "build-spire: downloading github.com/spiffe/spire@$SPIRE_VERSION" >&2
# A throwaway module makes `go mod download` work outside any module and without touching one.
(
    cd "$work"
    go mod init spire-build >/dev/null 2>&1
    GOFLAGS=-mod=mod go mod download -json "github.com/spiffe/spire@$SPIRE_VERSION" > download.json
)
module_dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/download.json")"
[[ -d "$module_dir" ]] || { echo "build-spire: module download failed" >&2; cat "$work/download.json" >&2; exit 1; }

# The module cache is read-only: build in a writable copy.
cp -r "$module_dir" "$work/spire"
chmod -R u+w "$work/spire"

echo "build-spire: building spire-server and spire-agent (cgo; takes minutes)" >&2
(
    cd "$work/spire"
    go mod download
    CGO_ENABLED=1 go build -trimpath -o "$work/out/" ./cmd/spire-server ./cmd/spire-agent
)
mkdir -p "$BIN_DIR"
# Install atomically so an interrupted build never leaves a half-written cache.
for b in spire-server spire-agent; do
    cp "$work/out/$b" "$BIN_DIR/.$b.tmp"
    mv "$BIN_DIR/.$b.tmp" "$BIN_DIR/$b"
done
"$BIN_DIR/spire-server" --version >&2 || true
echo "$BIN_DIR"
