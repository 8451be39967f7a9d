#!/usr/bin/env bash
# Installs the dependencies, builds PANAMA-TLM and runs the default scenario: a small shared cluster
# (2-tier leaf-spine of PSwitches at 100 Gbps) where one data-parallel job all-reduces in the network
# with PANAMA and another with ring all-reduce, beside web-search background flows. Finishes in seconds;
# writes out/demo/summary.json, CSV time series and plots.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPANAMA_PGO=OFF  # (a plain build: see scripts/build-pgo.sh)
cmake --build build -j "${JOBS:-$(nproc)}" --target panama  # (the run needs the command only, not the tests)
build/panama run testbench/scenarios/small-shared.yaml --out out/demo "$@"
