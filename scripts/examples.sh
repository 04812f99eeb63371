#!/usr/bin/env bash
# Sets up, builds CreditPress and renders every example learner's certificate into
# Examples/output/ (a PDF and a PNG preview each).
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
echo "Certificates are in $out/"
exit $status
