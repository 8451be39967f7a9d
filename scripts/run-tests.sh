#!/usr/bin/env bash
# Installs the dependencies, builds PANAMA-TLM and runs every test: first the Release build with
# profile-guided optimisation (scripts/build-pgo.sh), then the same suite built with AddressSanitizer +
# UndefinedBehaviorSanitizer (PANAMA_SANITIZE=ON).
# Set PANAMA_SKIP_SANITIZE=1 to run only the Release suite.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

scripts/install-deps.sh
stage() { echo "== ($((SECONDS / 60)) min $((SECONDS % 60)) s) $*"; }  # (elapsed time: where a slow run went)

stage "Release build, profile-guided (scripts/build-pgo.sh: the panama command instrumented, trained, rebuilt), and tests"
# The suite runs on the libraries as the benchmark's build optimises them (build-pgo/, which
# scripts/bench.sh uses too; build/ stays the plain build of scripts/demo.sh); the sanitizer build
# below runs it on code built without a profile.
scripts/build-pgo.sh build-pgo -DPANAMA_BUILD_TESTS=ON -DPANAMA_RTL=ON
stage "Release build of the tests"
cmake --build build-pgo -j "$JOBS"
stage "Release tests"
ctest --test-dir build-pgo --output-on-failure -j "$JOBS"

if [ "${PANAMA_SKIP_SANITIZE:-0}" != "1" ]; then
  stage "AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPANAMA_SANITIZE=ON
  cmake --build build-asan -j "$JOBS"
  stage "Sanitizer tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$JOBS"
fi
stage "done"
