#!/usr/bin/env bash
# Installs the dependencies, builds PANAMA-TLM and runs every test: first on the plain Release build
# (build/, as scripts/demo.sh configures it, with link-time optimisation of the panama command), then
# on a build with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/, PANAMA_SANITIZE=ON: any
# UB report fails the test). The RTL co-simulation tests are part of both when Verilator is installed.
# Profile-guided optimisation is left to the benchmark (scripts/bench.sh): it changes how fast the
# command runs, not what it computes, and would cost CI two more builds and a training run.
# Set PANAMA_SKIP_SANITIZE=1 to run only the Release suite.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
stage() { echo "== ($((SECONDS / 60)) min $((SECONDS % 60)) s) $*"; }  # (elapsed time: where a slow run went)

stage "dependencies"
scripts/install-deps.sh

stage "Release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPANAMA_PGO=OFF -DPANAMA_BUILD_TESTS=ON
cmake --build build -j "$JOBS"
stage "Release tests"
ctest --test-dir build --output-on-failure -j "$JOBS"

if [ "${PANAMA_SKIP_SANITIZE:-0}" != "1" ]; then
  stage "AddressSanitizer + UndefinedBehaviorSanitizer build"
  # With clang (which scripts/install-deps.sh installs, with libFuzzer): it compiles instrumented code in
  # about half GCC's time, and the build is the fuzzing build too (PANAMA_FUZZ_IN_TREE: the fuzz targets
  # are built beside the tests), so the instrumented libraries are compiled once. Without a clang that
  # links libFuzzer, the default compiler, and the fuzz test builds its own.
  # Instrumented code is costly to compile, so: -O1 (the sanitizers' own recommendation), -g1 (line
  # tables, enough for their stack traces), and the libraries and the command in unity batches
  # (PANAMA_UNITY: their shared headers instrumented once per batch).
  ASAN_CXX=()
  probe=$(mktemp -d)
  printf '#include <cstdint>\n#include <cstddef>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' >"$probe/p.cpp"
  if command -v clang++ >/dev/null 2>&1 &&
     clang++ -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" >/dev/null 2>&1; then
    ASAN_CXX=(-DCMAKE_CXX_COMPILER="$(command -v clang++)")
  fi
  rm -rf "$probe"
  cmake -S . -B build-asan "${ASAN_CXX[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DPANAMA_SANITIZE=ON -DPANAMA_UNITY=ON -DPANAMA_BUILD_TESTS=ON
  cmake --build build-asan -j "$JOBS"
  stage "Sanitizer tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$JOBS"
fi
stage "done"
