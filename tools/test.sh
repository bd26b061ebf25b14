#!/usr/bin/env bash
# The whole test suite on a fresh machine: host packages, npm packages, type check,
# lint (with the dependency rules), the boundary probe, then every package's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "host packages"
bash tools/setup-host.sh

step "npm packages"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

step "type check"
npx tsc -p tools/tsconfig.all.json

step "lint"
npx nx show projects >/dev/null # computes the project graph the boundary rule reads
npx eslint -c tools/eslint.config.mjs packages tools
bash tools/check-boundaries.sh

step "tests"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
npx vitest run --config tools/vitest.config.ts --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$report" || true
exit $status
