#!/usr/bin/env bash
# start-clamd.sh - a ClamAV daemon (Debian 12 clamav-daemon 1.4.x) on 127.0.0.1 for datafiles'
# tests, offline. 'freshclam' cannot reach the signature mirrors from CI, so clamd runs on a small
# database this script writes itself, which detects the EICAR test file (reported as
# "Eicar-Test-Signature.UNOFFICIAL FOUND"). In production an operator runs freshclam instead.
# Needs root (or password-less sudo) only to install the packages.
#
# clamd runs with its own config (not Debian's, which wants the clamav user and /var/run/clamav)
# and listens on a unix socket and on 127.0.0.1:$CLAMD_PORT. Idempotent: when it is already up
# and answers PING it only prints the settings.
#
# Output: KEY=VALUE settings on stdout, also written to $CLAMD_DIR/clamd.env (and to
# $CLAMD_ENV_FILE if set). Progress goes to stderr.
#
# Measured on this project's CI-class machine (2 vCPU, 24 GiB RAM, Debian 12, ClamAV 1.4.6):
#   apt install (clamav-daemon clamav, no recommends, 'apt-get update' included): 11 s
#   start, writing the db to PONG: 0.07 s (clamd itself answers 18 ms after launch);
#   start when already running: 0.03 s
#   stop-clamd.sh: 0.04 s
#
# Environment (all optional):
#   CLAMD_DIR            state dir (default /tmp/datafiles-clamd): config, db/, socket, pid, log
#   CLAMD_PORT           TCP port on 127.0.0.1 (default 3310)
#   CLAMD_STREAM_MAX     largest INSTREAM accepted (default 100M; clamd's own default is 25M, and
#                        beyond the limit clamd resets the connection mid-stream)
#   CLAMD_MAX_FILE_SIZE  largest file clamd scans (default: CLAMD_STREAM_MAX); with AlertExceedsMax
#                        (set below) a larger one is reported as Heuristics.Limits.Exceeded, which
#                        datafiles records as FAILED (too large): without it clamd answers OK
#                        for a file it did not scan
#   CLAMD_EXTRA_DB_DIR   also load the *.cvd/*.cld/*.ndb/... signature files found there
#   CLAMD_START_TIMEOUT  seconds to wait for PONG (default 120; full signature sets take 20-60 s)
#   CLAMD_ENV_FILE       also write the settings there
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR=${CLAMD_DIR:-/tmp/datafiles-clamd}
PORT=${CLAMD_PORT:-3310}
STREAM_MAX=${CLAMD_STREAM_MAX:-100M}
MAX_FILE_SIZE=${CLAMD_MAX_FILE_SIZE:-$STREAM_MAX}
TIMEOUT=${CLAMD_START_TIMEOUT:-120}
SOCK="$DIR/clamd.sock"
CONF="$DIR/clamd.conf"
PIDFILE="$DIR/clamd.pid"
# For lib.sh's log, die, lock_state_dir and emit_settings.
LOG_PREFIX=clamd
DIE_TAIL_FILES=("$DIR/clamd.log" "$DIR/clamd.stderr")
DIE_TAIL_LINES=20
ENV_FILE_NAME=clamd.env
EXTRA_ENV_FILE=${CLAMD_ENV_FILE:-}

# One start at a time per state dir (test files run in parallel processes). clamd is started with
# fd 9 closed, or it would hold the lock for as long as it runs.
mkdir -p "$(dirname "$DIR")"
lock_state_dir

settings() {
  cat <<EOT
CLAMD_SOCKET=$SOCK
CLAMD_HOST=127.0.0.1
CLAMD_PORT=$PORT
CLAMD_CONF=$CONF
EOT
}

# PING over TCP with bash's /dev/tcp: "zPING\0" -> "PONG\0".
clamd_answers() {
  local reply=
  exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
  printf 'zPING\0' >&3
  IFS= read -r -d '' -t 3 reply <&3 || true
  exec 3<&- 3>&-
  [ "$reply" = PONG ]
}

# ------------------------------------------------------------------------------------ install
if ! command -v clamd >/dev/null 2>&1 || ! command -v clamscan >/dev/null 2>&1 || ! command -v ss >/dev/null 2>&1; then
  log "installing clamav-daemon clamav with apt (about 10 s)"
  apt_install clamav-daemon clamav iproute2 || die "apt-get install failed"
fi

# ------------------------------------------------------------------------------ already up?
if [ -f "$PIDFILE" ] && alive "$(cat "$PIDFILE")" && clamd_answers 2>/dev/null; then
  log "already running (pid $(cat "$PIDFILE"))"
  emit_settings
  exit 0
fi
if [ -f "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; then
  log "clamd $(cat "$PIDFILE") is not answering: stopping it"
  kill "$(cat "$PIDFILE")" 2>/dev/null || true
  for _ in $(seq 1 20); do alive "$(cat "$PIDFILE")" || break; sleep 0.25; done
  if alive "$(cat "$PIDFILE")"; then kill -9 "$(cat "$PIDFILE")" 2>/dev/null || true; fi
fi
if ss -Hltn "sport = :$PORT" | grep -q .; then
  die "port $PORT is already in use (the system's clamd? set CLAMD_PORT)"
fi

mkdir -p "$DIR/db" "$DIR/tmp"
rm -f "$SOCK" "$PIDFILE"

# ------------------------------------------------------------------------- signature db
# The 68-byte EICAR test string, assembled from two halves so that this script itself is not
# reported by a scanner.
EICAR_HEAD='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR'
EICAR_TAIL='-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
EICAR="$EICAR_HEAD$EICAR_TAIL"
# Body signature (.ndb, Name:TargetType:Offset:Hex; type 0 = any file, offset * = anywhere):
# finds EICAR inside any file, including inside archives clamd unpacks (zip, gzip, tar, ...).
printf 'Eicar-Test-Signature:0:*:%s\n' "$(printf '%s' "$EICAR" | od -An -v -tx1 | tr -d ' \n')" > "$DIR/db/datafiles-eicar.ndb"
# Hash signature (.hsb, SHA256:Size:Name): the exact 68-byte file.
printf '%s:%d:Eicar-Test-Signature\n' "$(printf '%s' "$EICAR" | sha256sum | cut -d' ' -f1)" "${#EICAR}" > "$DIR/db/datafiles-eicar.hsb"
if [ -n "${CLAMD_EXTRA_DB_DIR:-}" ] && [ -d "$CLAMD_EXTRA_DB_DIR" ]; then
  find "$CLAMD_EXTRA_DB_DIR" -maxdepth 1 -type f \( -name '*.cvd' -o -name '*.cld' -o -name '*.cud' \
    -o -name '*.hdb' -o -name '*.hsb' -o -name '*.ndb' -o -name '*.ldb' \) -exec cp -t "$DIR/db" {} +
fi

cat > "$CONF" <<EOT
LocalSocket $SOCK
LocalSocketMode 666
FixStaleSocket yes
TCPSocket $PORT
TCPAddr 127.0.0.1
DatabaseDirectory $DIR/db
TemporaryDirectory $DIR/tmp
PidFile $PIDFILE
LogFile $DIR/clamd.log
LogTime yes
LogClean no
Foreground no
# No 'User' line: clamd runs as whoever starts it (Debian's config says 'User clamav').
StreamMaxLength $STREAM_MAX
MaxFileSize $MAX_FILE_SIZE
# Report what is above the limits (Heuristics.Limits.Exceeded... FOUND) instead of answering OK
# for what was not scanned (docs/decisions.md 86).
AlertExceedsMax yes
MaxScanSize 400M
MaxThreads 8
ReadTimeout 60
CommandReadTimeout 30
SelfCheck 600
ConcurrentDatabaseReload no
Bytecode no
EOT

# Check the database offline first (fast): clamscan must report EICAR with it (exit status 1).
printf '%s' "$EICAR" > "$DIR/tmp/eicar-check.txt"
status=0
clamscan --no-summary -d "$DIR/db/datafiles-eicar.ndb" -d "$DIR/db/datafiles-eicar.hsb" "$DIR/tmp/eicar-check.txt" \
  > "$DIR/clamscan-check.out" 2>&1 || status=$?
rm -f "$DIR/tmp/eicar-check.txt"
[ $status = 1 ] || die "the EICAR database does not work (clamscan exit $status, expected 1): $(cat "$DIR/clamscan-check.out")"

T0=$(date +%s%N)
log "starting clamd ($CONF)"
clamd -c "$CONF" 9>&- 2>>"$DIR/clamd.stderr" || die "clamd did not start"
t0=$SECONDS
until clamd_answers 2>/dev/null; do
  (( SECONDS - t0 > TIMEOUT )) && die "timed out waiting for clamd to answer PING"
  sleep 0.1
done
[ -S "$SOCK" ] || die "clamd is up but its unix socket $SOCK is missing"
log "clamd ready (pid $(cat "$PIDFILE")) in $(( ($(date +%s%N) - T0) / 1000000 )) ms"
emit_settings
