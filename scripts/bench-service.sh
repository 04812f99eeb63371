#!/usr/bin/env bash
# Load-tests the verification pages of `creditpress serve` with wrk (Debian's), on this
# machine's loopback only: issues N signed certificates into a fresh registry, starts the
# service on it, and runs wrk for 10 s at 64 connections on
#   1. one certificate's page (a board clerk's link opened by many),
#   2. pages of all N certificates, chosen at random (as fast as they come, and paced to
#      about 5,000 a second, the rate the latency target is set at),
#   3. the JSON API for one certificate;
# then the learner's side, on the example ASCO 2018 activity: C learners enrolled, each
# signing in and claiming 24.5 AMA credits (claim to certificate, signed: p50/p99, from
# scripts/bench-claims.py), and
#   4. downloads of an issued certificate by its learner.
# Prints wrk's requests per second and latency percentiles for each, and the server's peak
# resident memory. With SOAK seconds, last a mixed load that long and print the server's
# resident memory every minute (memory must stay flat).
#
#   scripts/bench-service.sh [N [C [SOAK]]]      default 2000 200 0
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${1:-2000}
claims=${2:-200}
soak=${3:-0}
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
# The same, each of the 64 connections pausing 12.8 ms between requests: about 5,000 pages
# a second, the rate the latency target is set at (plain wrk cannot fix a rate otherwise).
{ cat "$work/ids.lua"; echo 'delay = function() return 12.8 end'; } > "$work/paced.lua"

port=18099
# Learners for the claims: enrolled in ASCO 2018 by the staff's import.
{
    echo "id,first_name,last_name,professional_name,degrees,profession,email"
    for i in $(seq "$claims"); do echo "B-$i,Learner,Number$i,\"Learner Number$i, MD\",MD,physician,learner$i@bench.example.org"; done
} > "$work/enrol.csv"
"$binary" enrol --registry "$work/registry.sqlite" --activity Examples/asco-2018/activity.yaml "$work/enrol.csv" >/dev/null
"$binary" serve --port $port --registry "$work/registry.sqlite" --trust "$work/keys/ca.cert.pem" --signing "$work/keys" \
    --activities Examples --verifications-per-minute 0 --trusted-proxy 127.0.0.1 >"$work/serve.log" 2>&1 &
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
report "$rows certificates' pages at random, 64 connections paced to about 5,000/s" -s "$work/paced.lua" "http://127.0.0.1:$port"
report "JSON API, one certificate, 64 connections" "http://127.0.0.1:$port/api/v1/certificates/$one"

echo "== $claims learners claim 24.5 AMA credits each (signed certificates), one after another"
for i in $(seq "$claims"); do
    "$binary" sign-in-link --registry "$work/registry.sqlite" --email "learner$i@bench.example.org" --public-url "http://127.0.0.1:$port"
done > "$work/links.txt"
python3 scripts/bench-claims.py "http://127.0.0.1:$port" ASCO-AM-2018 24.5 < "$work/links.txt" | tee "$work/claims.txt" | grep claims:
cookie=$(sed -n 's/^COOKIE //p' "$work/claims.txt")
certificate=$(sed -n 's/^CERTIFICATE //p' "$work/claims.txt")
report "downloads of an issued certificate by its learner, 64 connections" -H "Cookie: $cookie" \
    "http://127.0.0.1:$port/certificates/$certificate/download"
echo "server peak resident memory: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"

if ((soak > 0)); then
    echo "== mixed load for $soak s (verification pages at random, downloads), resident memory each minute"
    wrk -t1 -c32 -d"${soak}s" -s "$work/ids.lua" "http://127.0.0.1:$port" >/dev/null &
    mixed=$!
    wrk -t1 -c16 -d"${soak}s" -H "Cookie: $cookie" "http://127.0.0.1:$port/certificates/$certificate/download" >/dev/null &
    downloads=$!
    for minute in $(seq 0 $((soak / 60))); do
        echo "  minute $minute: $(grep VmRSS /proc/$server/status | awk '{print $2, $3}')"
        ((minute * 60 < soak)) && sleep 60
    done
    wait $mixed $downloads
fi
