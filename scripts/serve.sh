#!/usr/bin/env bash
# Sets up, issues the example certificates (scripts/examples.sh: signed, recorded in
# Examples/output/registry.sqlite) and starts `creditpress serve` on that registry, the
# embedded SQLite default. Prints the address and a verification link per example
# certificate. Stop it with Ctrl-C.
#
#   scripts/serve.sh [PORT]     default 8080
set -euo pipefail
cd "$(dirname "$0")/.."

port=${1:-8080}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
scripts/examples.sh | tee "$log"
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/creditpress"
out=Examples/output
echo
echo "Verification pages for the example certificates:"
sed -n 's/^wrote \([^ ]*\) (.*certificate \([0-9A-Z-]*\),.*/  http:\/\/127.0.0.1:'"$port"'\/verify\/\2   (\1)/p' "$log"
echo
exec "$binary" serve --port "$port" --registry "$out/registry.sqlite" \
    --trust "$out/keys/ca.cert.pem" --signing "$out/keys"
