#!/usr/bin/env bash
# Sets up, builds CreditPress and renders every example learner's certificate into
# Examples/output/ (a PDF and a PNG preview each), and the example transcript.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build -c release --static-swift-stdlib --product creditpress
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/creditpress"

out=Examples/output
mkdir -p "$out"
status=0
for activity in Examples/*/activity.yaml; do
    folder=$(dirname "$activity")
    for learner in "$folder"/learners/*; do
        name="$(basename "$folder")-$(basename "${learner%.*}")"
        "$binary" certificate --activity "$activity" --learner "$learner" \
            --out "$out/$name.pdf" --png "$out/$name.png" \
            --creation-date 2018-06-05T12:00:00Z || status=1
    done
done
"$binary" transcript --learner Examples/transcript/learner.yaml --records Examples/transcript/records.csv \
    --activities Examples --issuer "American Society of Clinical Oncology" --issue-date 2023-01-15 \
    --out "$out/transcript.pdf" || status=1
echo "Certificates and the example transcript are in $out/"
exit $status
