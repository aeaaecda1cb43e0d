#!/usr/bin/env bash
# install-chromium.sh - Debian's chromium, for the browser tests (test/support/browser.ts drives it
# with playwright-core, which never downloads a browser of its own). Needs root (or password-less
# sudo) only to install.
#
# Idempotent and quiet: when /usr/bin/chromium (or $CHROMIUM_PATH) already runs, it prints its path
# and exits (~0.1 s); otherwise it installs the 'chromium' package with apt-get through the lock
# the other service scripts share (lib.sh's apt_install), then prints the path.
#
# Output: the browser's path on stdout; progress and errors on stderr.
#
# Environment (optional):
#   CHROMIUM_PATH   the executable to look for (default /usr/bin/chromium)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
LOG_PREFIX=chromium

runs() { [ -x "$CHROMIUM" ] && "$CHROMIUM" --headless --no-sandbox --version >/dev/null 2>&1; }

if ! runs; then
  # Two test files may call this at once: apt_install serialises on /var/lock/datafiles-apt.lock,
  # and the second finds the browser installed when its turn comes.
  log "installing Debian's chromium (apt-get; about a minute the first time)"
  apt_install chromium
  runs || die "$CHROMIUM does not run after installing the chromium package"
  log "installed: $("$CHROMIUM" --headless --no-sandbox --version 2>/dev/null)"
fi
echo "$CHROMIUM"
