#!/usr/bin/env bash
# The paper's evaluation (docs/results.md): runs its five sweeps, then writes the tables and plots of
# docs/results.md into OUT (default out/paper-eval):
#   k8, k8-oversub   paper-eval-k8.yaml, full bisection and 2:1 oversubscribed: PANAMA and ring, seeds 1-5
#   size             paper-eval-comm.yaml: reduce size 10, 40 and 160 MB, PANAMA and ring, seeds 1-3
#   trees            paper-eval-comm.yaml at 40 MB: 1, 2, 4 and 8 trees per job, seeds 1-2
#   cwnd             paper-eval-incast.yaml: panama and panama_nocap, seeds 1-2
# Usage: scripts/paper-eval.sh [OUT]. JOBS points run at once (default: the number of cores); points
# already in OUT are kept (a sweep resumes), so a second call only redoes the tables and plots. The whole
# evaluation takes about 4 hours of one core (4-6 minutes per k8 point).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/paper-eval}
JOBS=${JOBS:-$(nproc)}
BIN=${PANAMA_BIN:-build/panama}
[ -x "$BIN" ] || { echo "paper-eval: no $BIN (build first: README, Quick start)" >&2; exit 2; }
mkdir -p "$OUT"

for s in k8 k8-oversub size trees cwnd; do
  echo "== sweep $s"
  "$BIN" sweep "testbench/sweeps/paper-eval-$s.yaml" -j "$JOBS" --no-plots --out "$OUT/$s"
done

# `panama analyze compare`, paired by seed; its table columns are figure, A mean, B mean, A / B, +-95 %
# half-width, n. Prints "A_mean B_mean ratio ci n" for each named figure.
ratios() {  # DIR_A "SELECT_A..." DIR_B "SELECT_B..." FIGURE...
  local da=$1 sa=$2 db=$3 sb=$4 s
  shift 4
  local sel=()
  for s in $sa; do sel+=(--select-a "$s"); done
  for s in $sb; do sel+=(--select-b "$s"); done
  "$BIN" analyze compare "$da" "$db" "${sel[@]}" >"$OUT/compare.tmp"
  for s in "$@"; do awk -v f="$s" '$1 == f { sub(/^\+-/, "", $5); print $2, $3, $4, $5, $6 }' "$OUT/compare.tmp"; done
}

# Headline: ring / PANAMA with intervals on both fabrics (> 1: PANAMA better; goodput: < 1).
{
  echo "# fabric figure ring_mean panama_mean ring_over_panama ci95 n"
  for fab in k8 k8-oversub; do
    for f in training_time_s_mean allreduce_gbps_mean short_fct_mean_us short_fct_p99_us; do
      echo "$fab $f $(ratios "$OUT/$fab" scenario.protocol=ring "$OUT/$fab" scenario.protocol=panama "$f")"
    done
  done
} >"$OUT/headline.dat"
# The same three ratios per fabric beside the paper's (1.34x training time; short flows: mean ~2x, p99 4.5x).
{
  echo "# label full ci oversub ci paper"
  for f in training_time_s_mean:"training time":1.34 short_fct_mean_us:"short-flow FCT mean":2.0 \
    short_fct_p99_us:"short-flow FCT p99":4.5; do
    IFS=: read -r key label paper <<<"$f"
    full=$(awk -v k="$key" '$1 == "k8" && $2 == k { print $5, $6 }' "$OUT/headline.dat")
    over=$(awk -v k="$key" '$1 == "k8-oversub" && $2 == k { print $5, $6 }' "$OUT/headline.dat")
    echo "\"$label\" $full $over $paper"
  done
} >"$OUT/headline-plot.dat"

# Reduce size: ring / PANAMA job time (two all-reduces with 1 ms of compute between them) per size.
{
  echo "# gradient_mb ring_s panama_s ring_over_panama ci95 n"
  for mb in 10 40 160; do
    echo "$mb $(ratios "$OUT/size" "scenario.protocol=ring scenario.gradient_mb=$mb" \
      "$OUT/size" "scenario.protocol=panama scenario.gradient_mb=$mb" training_time_s_mean)"
  done
} >"$OUT/size.dat"

# Trees: PANAMA's all-reduce goodput with T trees per job, over the ring's at the same size (40 MB).
{
  echo "# trees panama_gbps ring_gbps panama_over_ring ci95 n"
  for t in 1 2 4 8; do
    echo "$t $(ratios "$OUT/trees" "controller.max_trees=$t" "$OUT/size" "scenario.protocol=ring scenario.gradient_mb=40" \
      allreduce_gbps_mean)"
  done
} >"$OUT/trees.dat"

# Window cap under incast: mean and interval over the seeds of each configuration (seed_intervals.csv);
# iterations_done is the sum of the four jobs' means (8 when all finished; no interval).
{
  echo "# figure panama_mean panama_ci95 nocap_mean nocap_ci95"
  for f in iterations_done accelerators.slot_stalls accelerators.drops network.pause_sent flows.short_fct_p99_us; do
    row="$f"
    for proto in panama panama_nocap; do
      row="$row $(awk -F, -v g="\"scenario.protocol=$proto\"" -v f="$f" '
        $1 == g && f == "iterations_done" && $2 ~ /^jobs\.[0-9]+\.iterations_done$/ { m += $4; c = "-"; n++ }
        $1 == g && $2 == f { m = $4; c = $5; n = 1 }
        END { if (n) print m, c; else print "- -" }' "$OUT/cwnd/seed_intervals.csv")"
    done
    echo "$row"
  done
} >"$OUT/cwnd.dat"
rm -f "$OUT/compare.tmp"

if command -v gnuplot >/dev/null 2>&1; then
  gnuplot -e "dir='$OUT'" scripts/paper-eval.gp
  echo "plots: $OUT/headline.png $OUT/size.png $OUT/trees.png"
else
  echo "plots skipped: gnuplot is not installed (scripts/install-deps.sh installs gnuplot-nox)"
fi
echo "tables: $OUT/headline.dat $OUT/size.dat $OUT/trees.dat $OUT/cwnd.dat"
