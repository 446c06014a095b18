#!/usr/bin/env bash
# A single-node Slurm for tests and for trying the slurm executor on a laptop, from Debian
# bookworm's packages unpacked with `dpkg -x` into one folder (no systemd, no install): munge
# with its own key and socket, slurmctld and slurmd as root, no accounting.
#
#   tools/slurm/local-slurm.sh start   # prints the environment lines to `eval`
#   tools/slurm/local-slurm.sh env     # the same lines, for a shell that did not start it
#   tools/slurm/local-slurm.sh stop    # stops every daemon it started
#
# Folder: $LESIONSEG_SLURM_DIR (default /tmp/lesionseg-slurm). Needs root (Slurm's daemons run
# as root here) and `apt-get download` access to Debian's mirror the first time.
set -euo pipefail

DIR="${LESIONSEG_SLURM_DIR:-/tmp/lesionseg-slurm}"
ROOT="$DIR/root"
RUN="$DIR/run"
LIB="$ROOT/usr/lib/x86_64-linux-gnu"
PACKAGES=(slurmctld slurmd slurm-client slurm-wlm-basic-plugins munge libmunge2 liblua5.1-0)

env_lines() {
  echo "export PATH=\"$ROOT/usr/bin:\$PATH\""
  echo "export LD_LIBRARY_PATH=\"$LIB:$LIB/slurm-wlm\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""
  echo "export SLURM_CONF=\"$RUN/slurm.conf\""
}

unpack() {
  [ -x "$ROOT/usr/sbin/slurmctld-wlm" ] && [ -x "$ROOT/usr/sbin/munged" ] && return 0
  mkdir -p "$DIR/debs" "$ROOT"
  chmod 777 "$DIR/debs" # apt-get download writes as its own _apt user
  (cd "$DIR/debs" && apt-get download "${PACKAGES[@]}" >/dev/null) || {
    echo "local-slurm: apt-get download ${PACKAGES[*]} failed (run apt-get update?)" >&2
    return 1
  }
  for deb in "$DIR"/debs/*.deb; do dpkg -x "$deb" "$ROOT"; done
}

write_config() {
  mkdir -p "$RUN/state" "$RUN/spool" "$RUN/munge"
  if [ ! -s "$RUN/munge/munge.key" ]; then
    head -c 1024 /dev/urandom >"$RUN/munge/munge.key"
    chmod 600 "$RUN/munge/munge.key"
  fi
  cat >"$RUN/slurm.conf" <<EOF
ClusterName=lesionseg-local
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$RUN/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MpiDefault=none
ReturnToService=2
SlurmctldPort=${LESIONSEG_SLURMCTLD_PORT:-16817}
SlurmdPort=${LESIONSEG_SLURMD_PORT:-16818}
StateSaveLocation=$RUN/state
SlurmdSpoolDir=$RUN/spool
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$RUN/slurmctld.log
SlurmdLogFile=$RUN/slurmd.log
PluginDir=$LIB/slurm-wlm
MinJobAge=300
KillWait=30
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

# slurmd runs the step daemon from the path it was built with, /usr/sbin/slurmstepd (Debian's
# package links it there through update-alternatives): link ours there unless one exists.
STEPD=/usr/sbin/slurmstepd
link_stepd() {
  if [ ! -e "$STEPD" ] && [ ! -L "$STEPD" ]; then ln -s "$ROOT/usr/sbin/slurmstepd-wlm" "$STEPD"; fi
}
unlink_stepd() {
  if [ -L "$STEPD" ] && [ "$(readlink "$STEPD")" = "$ROOT/usr/sbin/slurmstepd-wlm" ]; then rm -f "$STEPD"; fi
}

stop() {
  local pidfile pid
  for pidfile in "$RUN/slurmd.pid" "$RUN/slurmctld.pid" "$RUN/munge/munged.pid"; do
    [ -s "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  unlink_stepd
}

start() {
  unpack
  stop # a previous start that was not stopped
  rm -rf "$RUN/state" "$RUN/spool" # no jobs survive from an earlier session
  write_config
  eval "$(env_lines)"
  # Half-started daemons are stopped again when anything below fails.
  trap 'status=$?; [ $status -eq 0 ] || { echo "local-slurm: start failed; logs in $RUN" >&2; stop; }' EXIT
  "$ROOT/usr/sbin/munged" --force --key-file "$RUN/munge/munge.key" --socket "$RUN/munge/munge.socket" \
    --pid-file "$RUN/munge/munged.pid" --log-file "$RUN/munge/munged.log" --seed-file "$RUN/munge/munged.seed"
  link_stepd
  "$ROOT/usr/sbin/slurmctld-wlm" -c -f "$SLURM_CONF"
  "$ROOT/usr/sbin/slurmd-wlm" -f "$SLURM_CONF"
  for _ in $(seq 60); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qx 'idle'; then
      env_lines
      return 0
    fi
    sleep 0.5
  done
  echo "local-slurm: the node did not become idle in 30 s:" >&2
  sinfo >&2 || true
  tail -n 20 "$RUN/slurmctld.log" "$RUN/slurmd.log" >&2 || true
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
