#!/usr/bin/env bash
# Sets up, builds CreditPress and renders every example learner's certificate into
# Examples/output/ (a PDF and a PNG preview each), signed with a TEST identity made in
# Examples/output/keys/ and recorded in a fresh registry, then verifies one of them; and
# renders the example transcript.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build -c release --static-swift-stdlib --product creditpress
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/creditpress"

out=Examples/output
mkdir -p "$out"
status=0
# A TEST signing identity (made once) and a fresh registry for this run.
[[ -f "$out/keys/signing.key.pem" ]] || "$binary" keys init --out "$out/keys" --organization "American Society of Clinical Oncology" >/dev/null
[[ -f "$out/keys/certificate-id.key" ]] || "$binary" keys id --out "$out/keys/certificate-id.key" >/dev/null
rm -f "$out/registry.sqlite" "$out/registry.sqlite-wal" "$out/registry.sqlite-shm"
export CREDITPRESS_SIGNING="$out/keys" CREDITPRESS_REGISTRY="$out/registry.sqlite"
export CREDITPRESS_ID_KEY="$out/keys/certificate-id.key" CREDITPRESS_TRUST="$out/keys/ca.cert.pem"
for activity in Examples/*/activity.yaml; do
    folder=$(dirname "$activity")
    for learner in "$folder"/learners/*; do
        name="$(basename "$folder")-$(basename "${learner%.*}")"
        "$binary" certificate --activity "$activity" --learner "$learner" \
            --out "$out/$name.pdf" --png "$out/$name.png" \
            --creation-date 2018-06-05T12:00:00Z || status=1
    done
done
"$binary" verify "$out/asco-2018-physician.pdf" || status=1
"$binary" transcript --learner Examples/transcript/learner.yaml --records Examples/transcript/records.csv \
    --activities Examples --issuer "American Society of Clinical Oncology" --issue-date 2023-01-15 \
    --out "$out/transcript.pdf" || status=1
"$binary" verify "$out/transcript.pdf" >/dev/null || status=1
echo "Certificates and the example transcript are in $out/"
exit $status
