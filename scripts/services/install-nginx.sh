#!/usr/bin/env bash
# install-nginx.sh - makes sure the nginx binary is there, for test/deploy.test.ts (which runs
# `nginx -t` on the README's example), installing Debian's `nginx` package through the same apt
# lock as the other service scripts (lib.sh). Prints the binary's path. Starts nothing: while it
# installs, a policy-rc.d (if none is there already) keeps the package from starting the daemon.
set -euo pipefail
LOG_PREFIX=install-nginx
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

find_nginx() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }
if ! path=$(find_nginx); then
  log "installing nginx from Debian's packages"
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if ! as_root test -e "$policy"; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    added_policy=1
  fi
  status=0
  apt_install nginx || status=$?
  if [ "$added_policy" = 1 ]; then as_root rm -f "$policy"; fi
  [ "$status" = 0 ] || die "apt-get install nginx failed (needs root, or sudo, and Debian's package mirror)"
  path=$(find_nginx) || die "nginx was installed but is neither on PATH nor in /usr/sbin"
fi
echo "$path"
