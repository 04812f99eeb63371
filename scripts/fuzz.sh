#!/usr/bin/env bash
# Fuzzes what reads untrusted bytes — verify on PDFs and on badges (VC-JWT), the QR payload
# decoder, the roster, activity and learner readers, the service's upload form — with libFuzzer: builds an instrumented harness into
# .build-fuzz/, then runs each target on a copy of its seed corpus (Tests/Fuzz/corpus/TARGET).
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]     SECONDS per target (default 10); all targets by default
#
# An input that crashes, or takes more than 10 s, stops its target and is kept under
# .build-fuzz/findings/TARGET/; replay it with `swift run creditpress-fuzz TARGET FILE`.
# Prints, per target, how long it ran and on how many inputs; exits 1 on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
[[ $# -gt 0 ]] && shift
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(pdf qr roster activity learner upload badge)

swift build --build-path .build-fuzz --product creditpress-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING
binary="$(swift build --build-path .build-fuzz --show-bin-path)/creditpress-fuzz"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for target in "${targets[@]}"; do
    mkdir -p "$work/corpus-$target" ".build-fuzz/findings/$target"
    # The seeds: the corpus's own inputs and the repository's examples and fixtures.
    cp Tests/Fuzz/corpus/"$target"/* "$work/corpus-$target/"
    case $target in
        pdf) cp Tests/CreditPressTests/Fixtures/countersigned/*.pdf "$work/corpus-$target/" ;;
        roster) cp Examples/*/roster.csv "$work/corpus-$target/" ;;
        activity) for file in Examples/*/activity.yaml Examples/transcript/activities/*.yaml; do
                      cp "$file" "$work/corpus-$target/$(echo "$file" | tr / _)"; done ;;
        learner) for file in Examples/*/learners/* Examples/transcript/learner.yaml; do
                     cp "$file" "$work/corpus-$target/$(echo "$file" | tr / _)"; done ;;
    esac
    log="$work/$target.log"
    dictionary=()
    [[ -f "Tests/Fuzz/$target.dict" ]] && dictionary=(-dict="Tests/Fuzz/$target.dict")
    if CREDITPRESS_FUZZ_TARGET="$target" "$binary" "${dictionary[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix=".build-fuzz/findings/$target/" "$work/corpus-$target" >"$log" 2>&1; then
        verdict="0 crashes, 0 hangs"
    else
        verdict="FAILED: $(grep -m1 -E 'ERROR|Timeout|deadly signal|Fatal error' "$log" || tail -1 "$log"); input kept in .build-fuzz/findings/$target/"
        status=1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    echo "fuzz $target: ${took:-$seconds} s, ${runs:-?} inputs, $verdict"
done
exit $status
