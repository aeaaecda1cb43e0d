#!/usr/bin/env bash
# install-nginx.sh - makes sure the nginx binary is there (for test/deploy-docs.test.ts, which runs
# `nginx -t` on the README's example), installing Debian's `nginx`
# package, through the same apt lock as the other service scripts. Prints the binary's path.
# Does not start or enable anything.
set -euo pipefail
LOG_PREFIX=install-nginx
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

find_nginx() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }
if ! path=$(find_nginx); then
  log "installing nginx from Debian's packages"
  # policy-rc.d 101: the package must not start the daemon (it would take port 80 on this host).
  as_root bash -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d.datafiles-nginx'
  as_root env DEBIAN_FRONTEND=noninteractive flock -w 900 /var/lock/datafiles-apt.lock bash -c '
    restore=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then cp /usr/sbin/policy-rc.d.datafiles-nginx /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; restore=1; fi
    for attempt in 1 2 3 4 5; do apt-get -o DPkg::Lock::Timeout=600 update -qq && break; sleep 5; done
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nginx >/dev/null; status=$?
    if [ "$restore" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
    exit $status
  ' || die "apt-get install nginx failed (needs root and Debian's package mirror)"
  as_root rm -f /usr/sbin/policy-rc.d.datafiles-nginx
  path=$(find_nginx) || die "nginx installed but not found on PATH or in /usr/sbin"
fi
echo "$path"
