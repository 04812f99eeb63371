#!/usr/bin/env bash
# Sets up and runs the whole CreditPress test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test
swift build --build-tests
swift test --skip-build "$@"
# A short fuzzing smoke run of every target (scripts/fuzz.sh SECONDS for longer ones).
[[ $# -gt 0 ]] || scripts/fuzz.sh 5
