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
rm -rf "$B/pgo-profile"
cmake --build "$B" -j "$JOBS" --target panama
echo "== PGO 2/3: training run"
"$B/panama" bench fabric --quick --json "$B/pgo-training.json"
echo "== PGO 3/3: optimised build"
cmake -S . -B "$B" -DPANAMA_PGO=use
cmake --build "$B" -j "$JOBS" --target panama
echo "PGO build ready: $B/panama"
