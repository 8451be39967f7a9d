#!/usr/bin/env bash
# Installs the dependencies, builds PANAMA-TLM and runs the default scenario: one 100 Gbps-class
# accelerator (512-bit datapath at 250 MHz) summing the gradients of four children at 100 Gbps.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "${JOBS:-$(nproc)}"
build/panama accel --config testbench/configs/design-100g.yaml "$@"
