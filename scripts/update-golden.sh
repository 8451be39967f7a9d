#!/usr/bin/env bash
# Rewrites the golden files of the default scenario (tests/golden/small-shared/: summary.json without
# `host`, and every CSV of `panama run testbench/scenarios/small-shared.yaml`) from the model as it is
# now. Run it only when a change is meant to alter what the model computes, and commit the new files
# with that change: `git diff tests/golden` shows what moved. The CTest test test_golden compares against
# them; BUILD selects the build directory (default build/, configured with the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  echo "update-golden.sh: no configured build in '$BUILD' (cmake -S . -B $BUILD -DPANAMA_BUILD_TESTS=ON first)" >&2
  exit 2
fi
cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target panama test_golden
PANAMA_UPDATE_GOLDEN=1 ctest --test-dir "$BUILD" -R '^test_golden$' --output-on-failure
git status --short -- tests/golden
