#!/usr/bin/env bash
# Slurm smoke test of `panama sweep --emit-slurm`: brings up a real single-node Slurm cluster on this
# machine (munged, slurmctld and slurmd, all private to a temporary state folder and stopped at the end),
# submits the 4-point sweep testbench/sweeps/small-sram-trees.yaml as a job array with `sbatch --wait`,
# collects it and checks that results.csv has 4 rows with results.
#
#   scripts/slurm-test.sh [PATH/TO/panama]     (or PANAMA_BIN=...; default build/panama)
#
# Installs the Debian packages slurm-wlm and munge when they are missing and we are root (set
# PANAMA_SLURM_INSTALL=0 to forbid that). When Slurm cannot be brought up here it prints
# `SKIPPED: <reason>` and exits 77 (CTest SKIP_RETURN_CODE); it exits 0 only after a real array job ran.
# KEEP=1 keeps the state folder (logs, slurm.conf, sweep output) for inspection.
set -u

SRC=${PANAMA_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
PANAMA=${1:-${PANAMA_BIN:-$SRC/build/panama}}
SWEEP=$SRC/testbench/sweeps/small-sram-trees.yaml
POINTS=4
CTLD_PORT=${PANAMA_SLURM_CTLD_PORT:-16817}
SLURMD_PORT=${PANAMA_SLURM_D_PORT:-16818}

STATE=""
PIDS=()   # the daemons this script started, and their names
NAMES=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  PIDS=()
  if [[ -n "$STATE" && -d "$STATE" ]]; then
    if [[ "${KEEP:-0}" == 1 ]]; then echo "state kept in $STATE"; else rm -rf "$STATE"; fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }
log_tail() { [[ -f "$1" ]] && { echo "--- last lines of $1:"; tail -n "${2:-15}" "$1"; }; }

[[ -x "$PANAMA" ]] || fail "panama binary '$PANAMA' not found (pass it as \$1 or PANAMA_BIN)"
[[ -f "$SWEEP" ]] || fail "sweep file $SWEEP not found"

# ---- packages ----
need_install=0
for tool in munged slurmctld slurmd sbatch sinfo; do command -v "$tool" >/dev/null 2>&1 || need_install=1; done
if [[ $need_install == 1 ]]; then
  [[ "${PANAMA_SLURM_INSTALL:-1}" == 1 ]] || skip "slurm-wlm/munge not installed and PANAMA_SLURM_INSTALL=0"
  [[ $(id -u) == 0 ]] || skip "slurm-wlm/munge not installed and not root (cannot apt-get install)"
  command -v apt-get >/dev/null 2>&1 || skip "slurm-wlm/munge not installed and no apt-get"
  echo "installing slurm-wlm and munge (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q slurm-wlm munge >/tmp/panama-slurm-apt.log 2>&1; then
    apt-get update -q >>/tmp/panama-slurm-apt.log 2>&1
    apt-get install -y -q slurm-wlm munge >>/tmp/panama-slurm-apt.log 2>&1 ||
      skip "apt-get install slurm-wlm munge failed (see /tmp/panama-slurm-apt.log)"
  fi
  for tool in munged slurmctld slurmd sbatch sinfo; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool missing after installing slurm-wlm and munge"
  done
fi
echo "using $(slurmctld -V 2>&1 | head -n1), $(munged --version 2>&1 | head -n1)"

# ---- private state: nothing of the system's munge or Slurm configuration is used or changed ----
STATE=$(mktemp -d /tmp/panama-slurm.XXXXXX) || fail "mktemp"
chmod 755 "$STATE"
mkdir -p "$STATE/munge" "$STATE/ctld" "$STATE/spool" "$STATE/out"
chmod 700 "$STATE/munge"
ME=$(id -un)

# munged: own key and socket. The key must be private to the user that runs munged.
dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none || skip "cannot create a munge key"
chmod 400 "$STATE/munge/munge.key"
MUNGE_SOCKET=$STATE/munge/munge.socket
munged --foreground --force --key-file="$STATE/munge/munge.key" --socket="$MUNGE_SOCKET" \
  --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/munge/munged.log" --seed-file="$STATE/munge/munged.seed" \
  >"$STATE/munge/munged.out" 2>&1 &
PIDS+=($!); NAMES+=(munged)
for _ in $(seq 50); do [[ -S "$MUNGE_SOCKET" ]] && break; sleep 0.1; done
if [[ ! -S "$MUNGE_SOCKET" ]]; then
  log_tail "$STATE/munge/munged.out"; log_tail "$STATE/munge/munged.log"
  skip "munged did not start (no socket $MUNGE_SOCKET)"
fi
echo test | munge --socket="$MUNGE_SOCKET" | unmunge --socket="$MUNGE_SOCKET" >/dev/null 2>&1 ||
  skip "munge credential round trip failed on $MUNGE_SOCKET"

# slurm.conf: one node (this machine, called localhost), one partition, no accounting, no cgroups.
export SLURM_CONF=$STATE/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=panamatest
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$ME
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
NodeName=localhost CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -i -f "$SLURM_CONF" >"$STATE/slurmctld.out" 2>&1 &
PIDS+=($!); NAMES+=(slurmctld)
slurmd -D -N localhost -f "$SLURM_CONF" >"$STATE/slurmd.out" 2>&1 &
PIDS+=($!); NAMES+=(slurmd)

# Wait for the node to register and become idle.
state=""
for _ in $(seq 60); do
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      name=${NAMES[$i]}
      log_tail "$STATE/$name.log" 8
      skip "$name exited during start-up: $(grep -h -m1 -E 'fatal|error' "$STATE/$name.out" "$STATE/$name.log" 2>/dev/null | head -n1)"
    fi
  done
  state=$(sinfo -h -N -n localhost -o %T 2>/dev/null | head -n1)
  [[ "$state" == idle* ]] && break
  sleep 1
done
if [[ "$state" != idle* ]]; then
  log_tail "$STATE/slurmctld.log"; log_tail "$STATE/slurmd.log"
  skip "slurmd did not register as idle within 60 s (node state: '${state:-none}')"
fi
echo "slurm up: node localhost $state ($(sinfo -h -o '%P %D %c' | head -n1))"

# ---- the sweep as a job array ----
OUT=$STATE/out/sweep
"$PANAMA" sweep "$SWEEP" --emit-slurm --out "$OUT" || fail "panama sweep --emit-slurm failed"
grep -q "^#SBATCH --array=0-$((POINTS - 1))$" "$OUT/sweep.slurm" || fail "sweep.slurm has no --array=0-$((POINTS - 1))"
echo "sbatch --wait $OUT/sweep.slurm ..."
if ! timeout 600 sbatch --wait "$OUT/sweep.slurm"; then
  for f in "$OUT"/slurm/*.out; do log_tail "$f" 5; done
  log_tail "$STATE/slurmctld.log"; log_tail "$STATE/slurmd.log"
  fail "the job array did not complete successfully"
fi
"$PANAMA" sweep "$SWEEP" --collect "$OUT" --no-plots || fail "panama sweep --collect failed"

rows=$(tail -n +2 "$OUT/results.csv" | grep -c .)
ok=$(tail -n +2 "$OUT/results.csv" | awk -F, '$3 == "ok"' | grep -c .)
tasks=$(ls "$OUT"/slurm/*.out 2>/dev/null | wc -l)
cat "$OUT/results.csv"
[[ $rows == "$POINTS" ]] || fail "results.csv has $rows rows, expected $POINTS"
[[ $ok == "$POINTS" ]] || fail "$ok of $POINTS points have results"
[[ $tasks == "$POINTS" ]] || fail "$tasks Slurm task logs, expected $POINTS"
echo "PASSED: $POINTS-point sweep ran as a Slurm job array ($tasks tasks) and collected into $rows CSV rows"
