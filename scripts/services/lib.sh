# shellcheck shell=bash
# lib.sh - helpers shared by the service scripts in this folder (start-/stop-ceph-rgw.sh,
# start-/stop-clamd.sh): they all need the same root/apt install, state-dir lock, logging and
# settings output, and the copies had drifted apart only in names. Sourced, not run:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Defining functions is all it does; they read these variables of the calling script when called:
#   DIR              the service's state dir
#   CONF             its config file (alive: a PID counts only if it runs with this config)
#   LOG_PREFIX       the name in the messages: "[LOG_PREFIX 12:34:56] ..." (log, die),
#                    "[LOG_PREFIX] ..." (lock_state_dir)
#   DIE_TAIL_FILES   array: files whose last lines die prints; glob patterns are expanded when
#                    die runs (log files appear as daemons start). Names must not contain * ? [
#   DIE_TAIL_LINES   how many last lines of each (default 20)
#   DIE_TAIL_HEADER  1: a "--- last lines of FILE" line before each (default 0)
#   ENV_FILE_NAME    emit_settings writes the settings to $DIR/$ENV_FILE_NAME ...
#   EXTRA_ENV_FILE   ... and, when set and not empty, there too
# and the caller's function 'settings', which prints the KEY=VALUE lines.

log() { printf '[%s %s] %s\n' "$LOG_PREFIX" "$(date +%T)" "$*" >&2; }
die() {
  log "ERROR: $*"
  local IFS= f  # no word splitting below, only the pathname expansion of the patterns
  for f in ${DIE_TAIL_FILES[@]+${DIE_TAIL_FILES[@]}}; do
    [ -f "$f" ] || continue
    if [ "${DIE_TAIL_HEADER:-0}" = 1 ]; then echo "--- last lines of $f" >&2; fi
    tail -n "${DIE_TAIL_LINES:-20}" "$f" >&2
  done
  exit 1
}

# One start (or stop) at a time per state dir: test files run in parallel processes and each may
# call a start script. The lock file sits beside the state dir (which a restart may wipe) and is
# held on fd 9 until the script exits; start daemons with 9>&- or they hold it as long as they run.
lock_state_dir() {
  exec 9>"${DIR%/}.lock"
  flock -w 900 9 || { echo "[$LOG_PREFIX] timed out waiting for ${DIR%/}.lock" >&2; exit 1; }
}

# The settings: to $DIR/$ENV_FILE_NAME (atomically, the start scripts' 'already running' check
# looks for it), to $EXTRA_ENV_FILE if set, and to stdout.
emit_settings() {
  settings > "$DIR/$ENV_FILE_NAME.tmp" && mv "$DIR/$ENV_FILE_NAME.tmp" "$DIR/$ENV_FILE_NAME"
  if [ -n "${EXTRA_ENV_FILE:-}" ]; then settings > "$EXTRA_ENV_FILE"; fi
  settings
}

# alive <pid>: the PID exists, is not a zombie (daemons fork and re-parent to PID 1, which in a
# container may never reap them) and runs with OUR $CONF (a PID file can outlive its process and
# the PID be reused).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$state" ] && [ "${state:0:1}" != Z ] \
    && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$CONF"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
# apt_install <package...>: every service script installs through the same lock, because
# 'apt-get update' cannot wait for the dpkg lock and two scripts installing at once would fail
# with "Could not get lock".
apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive flock -w 900 /var/lock/datafiles-apt.lock bash -c '
    for attempt in 1 2 3 4 5; do apt-get -o DPkg::Lock::Timeout=600 update -qq && break; sleep 5; done
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null
  ' apt-install "$@"
}
