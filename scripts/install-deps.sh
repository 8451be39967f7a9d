#!/usr/bin/env bash
# Installs PANAMA-TLM's build and test dependencies from Debian 12 packages. Idempotent: packages that
# are already installed are left alone, and nothing is downloaded from anywhere but the Debian mirrors.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libsystemc-dev          # SystemC 2.3.4 with TLM-2.0 (C++17 API)
  libboost-test-dev       # Boost.Test
  libcli11-dev            # command line
  libyaml-cpp-dev         # configuration files
  nlohmann-json3-dev      # JSON output
  verilator               # RTL co-simulation tests (testbench/rtl)
  gnuplot-nox             # PNG plots of `panama run` and `panama sweep` (the CSV data is written without it)
  slurm-wlm munge         # the sweep test submits a job array to a real single-node Slurm (scripts/slurm-test.sh)
  clang libclang-rt-14-dev  # libFuzzer and the sanitizers for the fuzzing test (tests/fuzz/run-fuzz.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
