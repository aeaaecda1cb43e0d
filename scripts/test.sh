#!/usr/bin/env bash
# Runs every test: unit and contract tests next to the code (src/**/*.test.ts) and the
# end-to-end suites in test/ that start the real server. The end-to-end suites spawn the built
# server (dist/), so it is built first.
#
# Services: PostgreSQL is expected at 127.0.0.1:5432 (DATAFILES_TEST_POSTGRES_URL). The S3 suites
# start the project's own Ceph RGW when they first need it (scripts/services/start-ceph-rgw.sh);
# if this run started it, it is stopped at the end. The browser suites install Debian's chromium
# when they first need it (scripts/services/install-chromium.sh); it stays installed.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build

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

shopt -s globstar nullglob
files=(src/**/*.test.ts test/**/*.test.ts)
if [ "$#" -gt 0 ]; then files=("$@"); fi
node --import tsx --enable-source-maps --test --test-reporter=spec "${files[@]}"
