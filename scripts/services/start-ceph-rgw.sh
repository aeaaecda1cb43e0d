#!/usr/bin/env bash
# start-ceph-rgw.sh - a single-node Ceph RGW (S3) on 127.0.0.1 for datafiles' tests and for local
# scale-out development. Debian 12 packages (Ceph 16 "Pacific"); plain daemons, no systemd, no
# containers. Needs root (or password-less sudo) only to install the packages.
#
#   1 mon, 1 OSD, optionally 1 mgr, radosgw (beast frontend) on 127.0.0.1:$RGW_PORT, and one S3
#   user. Tests create (and delete) their own buckets; this script creates none.
#
# Idempotent: installs packages only when missing; when the cluster in $CEPH_RGW_DIR is already
# up and answering, it only prints the settings (~0.1 s). A dead or half-started cluster is
# stopped (its own PIDs only), wiped and bootstrapped again.
#
# Output: the S3 settings as KEY=VALUE lines on stdout, also written to $CEPH_RGW_DIR/s3.env
# (and to $CEPH_ENV_FILE if set). Progress goes to stderr. Load them with:
#   set -a; . /tmp/datafiles-ceph-rgw/s3.env; set +a
#
# Measured on this project's CI-class machine (2 vCPU, 24 GiB RAM, Debian 12, Ceph 16.2.15):
#   apt install (ceph-mon ceph-osd ceph-mgr radosgw ceph-common uuid-runtime, no recommends,
#     'apt-get update' included): 38 s; whole first run, install + start: 41.5 s
#   start, fresh bootstrap to S3 ready: memstore 3.7 s (3.67-3.77 s over 3 runs),
#     bluestore on a sparse file 7.5 s (7.2-7.8 s over 3 runs)
#     (on a busy machine, load average 8 with other test suites running: 5-8 s, either store;
#     leaving out the mgr made no measurable difference)
#   start when already running: 0.07 s
#   stop-ceph-rgw.sh: 1.0 s
#
# Object store choice: memstore (default). It starts ~4 s faster than bluestore on a sparse file
# (3.7 s against 7.5 s), and every test run that finds no RGW running pays that start. Memstore
# keeps the data in the OSD's RAM but allocates it only as objects are written (idle OSD: ~50 MB
# RSS), so its capacity ($CEPH_STORE_BYTES, default 4 GiB) is a ceiling, not a reservation. Our
# tests move a few hundred MiB at most and RGW frees deleted and aborted-multipart data within
# ~30 s (gc settings below), so 4 GiB is ample headroom yet safe on a 24 GiB machine. The catch:
# a FULL memstore makes writes hang instead of failing, so for long-lived development clusters or
# big benchmarks use CEPH_OSD_STORE=bluestore (RAM bounded by 'osd memory target', data in a
# sparse file in the state dir).
#
# Environment (all optional):
#   CEPH_RGW_DIR        state dir (default /tmp/datafiles-ceph-rgw); wiped on (re)bootstrap
#   RGW_PORT            S3 port (default 7480)
#   CEPH_MON_V2_PORT    mon msgr2 port (default 3300); CEPH_MON_V1_PORT (default 6789)
#   CEPH_OSD_STORE      memstore (default) | bluestore
#   CEPH_STORE_BYTES    memstore capacity / bluestore file size (default 4 GiB)
#   CEPH_WITH_MGR       1 (default) | 0: RGW works without the mgr (saves ~300 MB RSS; 'ceph -s'
#                       then shows no pool stats)
#   S3_UID, S3_ACCESS_KEY, S3_SECRET_KEY   the S3 user to create
#   CEPH_START_TIMEOUT  seconds to wait for each daemon (default 120)
#   CEPH_ENV_FILE       also write the settings there
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR=${CEPH_RGW_DIR:-/tmp/datafiles-ceph-rgw}
RGW_PORT=${RGW_PORT:-7480}
MON_V2_PORT=${CEPH_MON_V2_PORT:-3300}
MON_V1_PORT=${CEPH_MON_V1_PORT:-6789}
STORE=${CEPH_OSD_STORE:-memstore}
STORE_BYTES=${CEPH_STORE_BYTES:-4294967296}
WITH_MGR=${CEPH_WITH_MGR:-1}
S3_UID=${S3_UID:-datafiles-test}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-DATAFILESTESTACCESS0}
S3_SECRET_KEY=${S3_SECRET_KEY:-datafiles-test-secret-key-0000000000000000}
TIMEOUT=${CEPH_START_TIMEOUT:-120}
ENDPOINT="http://127.0.0.1:${RGW_PORT}"
CONF="$DIR/ceph.conf"
C=(-c "$CONF")
# For lib.sh's log, die, lock_state_dir and emit_settings.
LOG_PREFIX=ceph-rgw
DIE_TAIL_FILES=("$DIR/log/*")
DIE_TAIL_LINES=8
DIE_TAIL_HEADER=1
ENV_FILE_NAME=s3.env
EXTRA_ENV_FILE=${CEPH_ENV_FILE:-}

case "$STORE" in memstore|bluestore) ;; *) echo "CEPH_OSD_STORE must be memstore or bluestore" >&2; exit 2 ;; esac

# One start (or stop) at a time per state dir: test files run in parallel processes and each may
# call this script. The lock file sits beside the state dir, which a bootstrap wipes. The daemons
# are started with fd 9 closed, or they would hold the lock for as long as they run.
mkdir -p "$(dirname "$DIR")"
lock_state_dir

settings() {
  cat <<EOF
S3_ENDPOINT=$ENDPOINT
S3_REGION=us-east-1
S3_FORCE_PATH_STYLE=true
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
DATAFILES_TEST_S3_ENDPOINT=$ENDPOINT
CEPH_CONF=$CONF
EOF
}

# wait_until <what> <command...>: retries every 0.25 s until the command succeeds or TIMEOUT.
wait_until() {
  local what=$1 t0=$SECONDS; shift
  until "$@" >/dev/null 2>&1; do
    (( SECONDS - t0 > TIMEOUT )) && die "timed out waiting for $what"
    sleep 0.25
  done
  log "$what ready"
}

s3_answers() { curl -fsS -m 2 -o /dev/null "$ENDPOINT/"; }
pidfile_alive() { [ -f "$1" ] && alive "$(cat "$1")"; }

# ------------------------------------------------------------------------------------ install
missing=()
for pair in ceph-mon:ceph-mon ceph-osd:ceph-osd ceph-mgr:ceph-mgr radosgw:radosgw ceph:ceph-common \
            curl:curl uuidgen:uuid-runtime ss:iproute2 flock:util-linux; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} with apt (about 35 s)"
  # --no-install-recommends leaves out ceph-mds, ceph-fuse and a dozen others RGW does not need.
  apt_install "${missing[@]}" || die "apt-get install failed"
fi

# ------------------------------------------------------------------------------ already up?
if pidfile_alive "$DIR/run/mon.a.pid" && pidfile_alive "$DIR/run/osd.0.pid" \
   && pidfile_alive "$DIR/run/client.rgw.a.pid" && [ -f "$DIR/s3.env" ] && s3_answers; then
  log "already running in $DIR"
  emit_settings
  exit 0
fi

# ------------------------------------------------------------------------- fresh bootstrap
if [ -d "$DIR" ]; then
  log "leftover state in $DIR: stopping its daemons and wiping it"
  for pidfile in "$DIR"/run/*.pid; do pidfile_alive "$pidfile" && kill "$(cat "$pidfile")" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    any=0; for pidfile in "$DIR"/run/*.pid; do pidfile_alive "$pidfile" && any=1; done
    [ $any = 0 ] && break; sleep 0.25
  done
  for pidfile in "$DIR"/run/*.pid; do pidfile_alive "$pidfile" && kill -9 "$(cat "$pidfile")" 2>/dev/null || true; done
  rm -rf "$DIR"
fi
for port in "$RGW_PORT" "$MON_V2_PORT" "$MON_V1_PORT"; do
  if ss -Hltn "sport = :$port" | grep -q .; then
    die "port $port is already in use (another RGW? set RGW_PORT / CEPH_MON_V2_PORT / CEPH_MON_V1_PORT)"
  fi
done
mkdir -p "$DIR"/{run,log,crash,mon/ceph-a,mgr/ceph-x,osd/ceph-0,rgw}
FSID=$(uuidgen)

cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = true
crash dir = $DIR/crash
# One OSD: no replication, and few placement groups (RGW's pools at the default 32 PGs each
# would exceed 'mon max pg per osd').
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
# A single mon can commit map changes at once; the default batches them per second (start-up
# ~13 s instead of ~3 s).
paxos propose interval = 0.1
paxos min wait = 0.01
# Keep running on a fairly full development disk (the default refuses below 5 % free).
mon data avail warn = 2
mon data avail crit = 1
osd objectstore = $STORE
memstore device bytes = $STORE_BYTES

[mon]
mon data = $DIR/mon/\$cluster-\$id
[mgr]
mgr data = $DIR/mgr/\$cluster-\$id
[osd]
osd data = $DIR/osd/\$cluster-\$id
osd memory target = 939524096
bluestore block create = true
bluestore block size = $STORE_BYTES
bluestore fsck on mount = false
[client.rgw.a]
# tcp_nodelay=1: without it, beast writes a GetObject's headers and its small body as two
# segments and Nagle holds the body until the client ACKs the headers, which Linux delays by
# 40 ms: a 4 KiB download took ~50 ms instead of ~2 (docs/decisions.md 110).
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw data = $DIR/rgw
# RGW keeps deleted and aborted data for 2 h by default; collect it within ~30 s instead, so
# repeated test runs do not fill the store.
rgw gc obj min wait = 15
rgw gc processor period = 15
EOF

T0=$(date +%s%N)
log "bootstrapping ($STORE, $STORE_BYTES bytes) in $DIR"
# One keyring holding every key with its caps; the mon imports it at mkfs, so no 'auth add' calls.
ceph-authtool "${C[@]}" --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "${C[@]}" "$DIR/keyring" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool "${C[@]}" "$DIR/keyring" --gen-key -n mgr.x \
  --cap mon 'allow profile mgr' --cap osd 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "${C[@]}" "$DIR/keyring" --gen-key -n client.rgw.a \
  --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" "$DIR/monmap" >/dev/null

# --- mon (and mgr)
ceph-mon "${C[@]}" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
ceph-mon "${C[@]}" -i a 9>&- 2>>"$DIR/log/mon.a.stderr"
wait_until "mon" timeout 10 ceph "${C[@]}" --connect-timeout 5 mon stat
if [ "$WITH_MGR" = 1 ]; then ceph-mgr "${C[@]}" -i x 9>&- 2>>"$DIR/log/mgr.x.stderr"; fi

# --- RGW's pools, created up front in one ceph process (it reads commands from stdin). Left to
# radosgw, they are created one by one and the first CreateBucket stalls ~4 s.
for pool in .rgw.root default.rgw.control default.rgw.meta default.rgw.log \
            default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec; do
  echo "osd pool create $pool 8 8 replicated"
  echo "osd pool application enable $pool rgw"
done | ceph "${C[@]}" >/dev/null 2>"$DIR/log/pools.stderr" || die "creating the pools failed"

# --- OSD
OSD_UUID=$(uuidgen)
OSD_SECRET=$(ceph-authtool --gen-print-key)
OSD_ID=$(printf '{"cephx_secret": "%s"}' "$OSD_SECRET" | ceph "${C[@]}" osd new "$OSD_UUID" -i -)
[ "$OSD_ID" = 0 ] || die "expected osd id 0, got '$OSD_ID'"
ceph-authtool --create-keyring "$DIR/osd/ceph-0/keyring" --name osd.0 --add-key "$OSD_SECRET" >/dev/null
ceph-osd "${C[@]}" -i 0 --mkfs --osd-uuid "$OSD_UUID" --keyring "$DIR/osd/ceph-0/keyring" 2>>"$DIR/log/osd-mkfs.stderr" \
  || die "ceph-osd --mkfs failed"
ceph-osd "${C[@]}" -i 0 --keyring "$DIR/osd/ceph-0/keyring" 9>&- 2>>"$DIR/log/osd.0.stderr"
osd_is_up() { ceph "${C[@]}" osd dump -f json | grep -q '"up":1'; }
wait_until "osd.0" osd_is_up

# --- radosgw and the S3 user
radosgw "${C[@]}" -n client.rgw.a 9>&- 2>>"$DIR/log/client.rgw.a.stderr"
wait_until "radosgw on $ENDPOINT" s3_answers
radosgw-admin "${C[@]}" user create --uid="$S3_UID" --display-name="datafiles tests" \
  --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null 2>>"$DIR/log/radosgw-admin.stderr" \
  || die "radosgw-admin user create failed"

log "Ceph RGW up in $(( ($(date +%s%N) - T0) / 1000000 )) ms"
emit_settings
