#!/usr/bin/env bash
# Load-tests the verification pages of `creditpress serve` with wrk (Debian's), on this
# machine's loopback only: issues N signed certificates into a fresh registry, starts the
# service on it, and runs wrk for 10 s at 64 connections on
#   1. one certificate's page (a board clerk's link opened by many),
#   2. pages of all N certificates, chosen at random,
#   3. the JSON API for one certificate.
# Prints wrk's requests per second and latency percentiles for each, and the server's peak
# resident memory.
#
#   scripts/bench-service.sh [N]      default 2000
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${1:-2000}
command -v wrk >/dev/null || apt-get install -y --no-install-recommends wrk >/dev/null
swift build -c release --static-swift-stdlib --product creditpress
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/creditpress"

work=$(mktemp -d)
server=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
export CREDITPRESS_ID_KEY="$work/id.key" CREDITPRESS_HOME="$PWD"
"$binary" keys id --out "$CREDITPRESS_ID_KEY" >/dev/null
"$binary" keys init --out "$work/keys" --organization "Benchmark provider" >/dev/null
"$binary" bench --rows "$rows" --cold-starts 0 --out "$work/gen" >/dev/null 2>&1
"$binary" batch --activity Examples/asco-2018/activity.yaml --roster "$work/gen/roster.csv" --out "$work/out" \
    --registry "$work/registry.sqlite" --signing "$work/keys" --no-merged >/dev/null
cut -d, -f3 "$work/out/manifest.csv" | tail -n +2 > "$work/ids.txt"
cat > "$work/ids.lua" <<LUA
local ids = {}
for line in io.lines("$work/ids.txt") do ids[#ids + 1] = line end
math.randomseed(7)
request = function() return wrk.format("GET", "/verify/" .. ids[math.random(#ids)]) end
LUA

port=18099
"$binary" serve --port $port --registry "$work/registry.sqlite" --trust "$work/keys/ca.cert.pem" --signing "$work/keys" \
    --verifications-per-minute 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
one=$(head -1 "$work/ids.txt")

report() {
    echo "== $1"
    shift
    wrk -t1 -c64 -d10s --latency "$@" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
}
report "one certificate's page, 64 connections" "http://127.0.0.1:$port/verify/$one"
report "$rows certificates' pages at random, 64 connections" -s "$work/ids.lua" "http://127.0.0.1:$port"
report "JSON API, one certificate, 64 connections" "http://127.0.0.1:$port/api/v1/certificates/$one"
echo "server peak resident memory: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"
