#!/usr/bin/env bash
# Runs every test: unit and contract tests next to the code (src/**/*.test.ts) and the
# end-to-end suites in test/ that start the real server. The end-to-end suites spawn the built
# server (dist/), so it is built first.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
shopt -s globstar nullglob
files=(src/**/*.test.ts test/**/*.test.ts)
if [ "$#" -gt 0 ]; then files=("$@"); fi
exec node --import tsx --enable-source-maps --test --test-reporter=spec "${files[@]}"
