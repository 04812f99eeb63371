#!/usr/bin/env bash
# Sets up, issues the example certificates (scripts/examples.sh: signed, recorded in
# Examples/output/registry.sqlite) and starts `creditpress serve` on that registry, the
# embedded SQLite default, with the example activities open for claims and the ASCO 2018
# roster's learners enrolled. Prints the address, a verification link per example
# certificate and sign-in links for two example learners. Stop it with Ctrl-C.
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
url="http://127.0.0.1:$port"
export CREDITPRESS_REGISTRY="$out/registry.sqlite" CREDITPRESS_ID_KEY="$out/keys/certificate-id.key"
echo
echo "Verification pages for the example certificates:"
sed -n 's/^wrote \([^ ]*\) (.*certificate \([0-9A-Z-]*\),.*/  '"${url//\//\\/}"'\/verify\/\2   (\1)/p' "$log"
echo
# The staff's roster import: the ASCO 2018 attendance list (enrolment.csv) gets accounts and the activity.
"$binary" enrol --activity Examples/asco-2018/activity.yaml Examples/asco-2018/enrolment.csv
echo
echo "Sign-in links (each works once, for 15 minutes; others: ask on $url/sign-in, the link is logged):"
for email in s.whitfield@example.org mai.nguyen@example.org; do
    echo "  $email: $("$binary" sign-in-link --email "$email" --public-url "$url")"
done
echo "  Any other address signs in from $url/sign-in; the activity code for ASCO 2018 is ASCO-2018."
echo
exec "$binary" serve --port "$port" --public-url "$url" --outbox "$out/outbox" \
    --activities Examples --trust "$out/keys/ca.cert.pem" --signing "$out/keys"
