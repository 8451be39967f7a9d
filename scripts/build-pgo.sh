#!/usr/bin/env bash
# Builds the `panama` command with profile-guided optimisation (GCC) in one build directory (default
# build-pgo/): an instrumented build (PANAMA_PGO=generate), a training run on this tree (the fabric
# benchmark's quick points: a k = 8 fat-tree for 1 ms and a k = 16 one for 0.1 ms), then the build
# optimised with that profile (PANAMA_PGO=use). Nothing is downloaded and no profile is kept in the
# repository: each run trains afresh. Further arguments go to CMake (e.g. -DPANAMA_RTL=OFF).
# Usage: scripts/build-pgo.sh [BUILD_DIR] [CMAKE_ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build-pgo}
[ $# -gt 0 ] && shift
JOBS=${JOBS:-$(nproc)}

echo "== PGO 1/3: instrumented build ($B)"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DPANAMA_PGO=generate "$@"
P=$(sed -n 's/^PANAMA_PGO_DIR:PATH=//p' "$B/CMakeCache.txt")
[ -n "$P" ] || { echo "build-pgo: no PANAMA_PGO_DIR in $B/CMakeCache.txt" >&2; exit 1; }
rm -rf "$P"  # counts from an earlier training would merge into this one
cmake --build "$B" -j "$JOBS" --target panama
echo "== PGO 2/3: training run"
"$B/panama" bench fabric --quick --json "$B/pgo-training.json"
# The two simulations run in forked children, which write their own counts (run_isolated): without them
# the profile would hold the parent's start-up alone. Each process that wrote counts is one "run" in
# the profile's summary, so a good training shows three (gcov-dump comes with GCC).
GCOV_DUMP=$(${CXX:-g++} -print-prog-name=gcov-dump)
if ! command -v "$GCOV_DUMP" > /dev/null; then
  echo "build-pgo: $GCOV_DUMP (GCC's profile reader) not found, so the training cannot be checked" >&2
  exit 1
fi
runs=$("$GCOV_DUMP" "$P"/*egress_port.cpp.gcda | sed -n 's/.*OBJECT_SUMMARY runs=\([0-9]*\).*/\1/p' | head -1)
if [ "${runs:-0}" -lt 3 ]; then
  echo "build-pgo: the profile records ${runs:-no} runs, not 3 (the command and its two simulations):" \
       "the forked simulations did not write their counts" >&2
  exit 1
fi
echo "training profile: $runs runs recorded"
echo "== PGO 3/3: optimised build"
cmake -S . -B "$B" -DPANAMA_PGO=use
cmake --build "$B" -j "$JOBS" --target panama
echo "PGO build ready: $B/panama"
