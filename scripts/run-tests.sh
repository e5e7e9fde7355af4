#!/usr/bin/env bash
# Runs every package's tests (one package at a time: the integration tests start servers and
# databases, and CI machines have two cores), prints the failed tests at the end, then checks the
# packages as a consumer installs them.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh || exit $?
rm -rf .test-results
PATH="$PWD/node_modules/.bin:$PATH" TURBO_TELEMETRY_DISABLED=1 turbo run test --concurrency=1 --continue
code=$?
node --import tsx scripts/test-summary.ts
[ "$code" -eq 0 ] || exit "$code"
node --import tsx scripts/consumer-check.ts
