#!/usr/bin/env bash
# Installs the dependencies, builds the `panama` command with profile-guided optimisation
# (scripts/build-pgo.sh, in build-pgo/) and runs the fabric simulation-speed benchmark
# (`panama bench fabric`: a k = 8 fat-tree for 10 ms and a k = 16 one for 1 ms). Arguments go to the
# benchmark (--quick, --json FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-pgo.sh build-pgo -DPANAMA_RTL=OFF -DPANAMA_BUILD_TESTS=OFF
build-pgo/panama bench fabric "$@"
