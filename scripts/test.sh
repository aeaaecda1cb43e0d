#!/usr/bin/env bash
# Runs the tests.
#   bash scripts/test.sh            every test (unit, contract and end-to-end suites), after the
#                                   quality gate: type check, type-aware lint, Prettier's check
#   bash scripts/test.sh --unit     the fast unit tests next to the code: no build, no services
#   bash scripts/test.sh FILE...    just those files (after a build)
# DATAFILES_TEST_CONCURRENCY (default 2) is how many test files run at once.
# The end-to-end suites in test/ spawn the built server (dist/), so it is built first.
#
# Services: PostgreSQL is expected at 127.0.0.1:5432 (DATAFILES_TEST_POSTGRES_URL). The S3 suites
# start the project's own Ceph RGW when they first need it (scripts/services/start-ceph-rgw.sh);
# if this run started it, it is stopped at the end. The browser suites install Debian's chromium
# when they first need it (scripts/services/install-chromium.sh); it stays installed.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob

# Test files run two at a time by default: most of a file's time is spent waiting on servers,
# PostgreSQL, RGW or a browser, and Node's own default (one fewer than the cores) runs them one
# by one on a 2-core machine (docs/decisions.md 186). DATAFILES_TEST_CONCURRENCY=1 runs them in turn.
run_tests() {
  node --import tsx --enable-source-maps --test --test-concurrency="${DATAFILES_TEST_CONCURRENCY:-2}" --test-reporter=spec "$@"
}

if [ "${1:-}" = "--unit" ]; then
  # A unit test needs no service: the files that reach PostgreSQL, Ceph RGW or the built server
  # are left to the full run.
  unit=()
  for file in src/**/*.test.ts; do
    grep -qE 'DATAFILES_TEST_POSTGRES_URL|ensureRgw|ensureClamd|startPrivateClamd|provisionScaleOut|startTestServer|dist/' "$file" || unit+=("$file")
  done
  run_tests "${unit[@]}"
  exit
fi

npm run --silent build

if [ "$#" -eq 0 ]; then
  echo "quality gate: type check, lint and formatting"
  npm run --silent typecheck
  npm run --silent lint
  npm run --silent format:check
fi

rgw_was_running=0
if [ -z "${DATAFILES_TEST_S3_ENDPOINT:-}" ] && curl -fsS -m 2 -o /dev/null "http://127.0.0.1:${RGW_PORT:-7480}/" 2>/dev/null; then
  rgw_was_running=1
fi
stop_rgw() {
  if [ "$rgw_was_running" = 0 ] && [ -z "${DATAFILES_TEST_S3_ENDPOINT:-}" ] && [ "${DATAFILES_KEEP_RGW:-0}" != 1 ]; then
    bash scripts/services/stop-ceph-rgw.sh >/dev/null 2>&1 || true
  fi
}
trap stop_rgw EXIT

files=(src/**/*.test.ts test/**/*.test.ts)
if [ "$#" -gt 0 ]; then files=("$@"); fi
run_tests "${files[@]}"
