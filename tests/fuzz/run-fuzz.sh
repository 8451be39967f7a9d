#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang under AddressSanitizer + UndefinedBehaviorSanitizer
# (a build directory of their own: the project's build may use GCC) and runs each for a fixed number of
# runs from its seed corpus (tests/fuzz/corpus/<target>, plus the project's own YAML and CDF files).
# A crash, a sanitizer report, an exception other than ConfigError, a leak or a hang (-timeout) fails the
# test; the input that caused it is left in BUILD_DIR/findings/ and named in the output.
# Usage: run-fuzz.sh SOURCE_DIR BUILD_DIR [TARGET_DIR]. With TARGET_DIR the targets are taken from there,
# already built (a clang sanitizer build of the project builds them: PANAMA_FUZZ_IN_TREE), and BUILD_DIR
# holds only the corpora and findings. Exits 77 (skipped) when clang with libFuzzer is not installed.
# PANAMA_FUZZ_RUNS_SCALE multiplies the runs (e.g. 10 for a longer local session).
set -uo pipefail
SRC=$(cd "${1:?usage: run-fuzz.sh SOURCE_DIR BUILD_DIR}" && pwd)
BUILD=${2:?usage: run-fuzz.sh SOURCE_DIR BUILD_DIR}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)
PREBUILT=${3:-}
SCALE=${PANAMA_FUZZ_RUNS_SCALE:-1}
JOBS=${JOBS:-2}

if [ -n "$PREBUILT" ]; then
  TARGETS=$(cd "$PREBUILT" && pwd)
  echo "== the fuzz targets of this build, in $TARGETS"
else
  CXX=""
  for c in clang++ clang++-14 clang++-15 clang++-16; do
    if command -v "$c" >/dev/null 2>&1; then CXX=$(command -v "$c"); break; fi
  done
  if [ -z "$CXX" ]; then
    echo "SKIPPED: no clang++ (Debian: apt-get install clang; scripts/install-deps.sh installs it)"
    exit 77
  fi
  probe=$(mktemp -d)
  trap 'rm -rf "$probe"' EXIT
  printf '#include <cstdint>\n#include <cstddef>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' >"$probe/p.cpp"
  if ! "$CXX" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>"$probe/err"; then
    echo "SKIPPED: $CXX cannot link libFuzzer ($(head -1 "$probe/err")); Debian: apt-get install libclang-rt-14-dev"
    exit 77
  fi

  echo "== configure and build the fuzz targets with $CXX in $BUILD"
  # (-O1 -g1 and unity batches, as the sanitizer build of scripts/run-tests.sh: the instrumented build is
  # most of this test's time, the runs are counted, not timed.)
  cmake -S "$SRC" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPANAMA_FUZZ_BUILD=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DPANAMA_UNITY=ON \
    -DPANAMA_BUILD_TESTS=OFF -DPANAMA_RTL=OFF -DPANAMA_LTO=OFF >"$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log"; exit 1; }
  cmake --build "$BUILD" -j "$JOBS" --target fuzz_packet fuzz_config fuzz_topology fuzz_cdf >"$BUILD.build.log" 2>&1 ||
    { tail -50 "$BUILD.build.log"; exit 1; }
  TARGETS="$BUILD/tests/fuzz"
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$BUILD/findings"
failed=0
total_runs=0
start_all=$SECONDS
# target, runs, seed directories (besides tests/fuzz/corpus/<target>)
run() {
  local target=$1 runs=$(($2 * SCALE)) work="$BUILD/corpus/$1"
  shift 2
  mkdir -p "$work"
  local seeds=("$SRC/tests/fuzz/corpus/${target#fuzz_}")
  for d in "$@"; do seeds+=("$SRC/$d"); done
  local t0=$SECONDS
  # New inputs go to the first folder (in the build directory); the seeds are read only. stdin is
  # /dev/null: an input naming /dev/stdin reads nothing. The working directory is the config corpus, where
  # its scenarios' relative CDF paths (../cdf/) resolve.
  (cd "$SRC/tests/fuzz/corpus/config" && exec "$TARGETS/$target" -runs="$runs" -max_total_time=$((60 * SCALE)) -timeout=10 -rss_limit_mb=4096 \
    -dict="$SRC/tests/fuzz/${target#fuzz_}.dict" -artifact_prefix="$BUILD/findings/$target-" -print_final_stats=1 \
    "$work" "${seeds[@]}" </dev/null >"$BUILD/$target.log" 2>&1)
  local rc=$?
  local done_runs
  done_runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/$target.log" | grep -o '[0-9]*$' | tail -1)
  total_runs=$((total_runs + ${done_runs:-0}))
  if [ "$rc" -eq 0 ]; then
    echo "ok    $target: ${done_runs:-?} runs in $((SECONDS - t0)) s, corpus $(ls "$work" | wc -l) new inputs"
  else
    failed=$((failed + 1))
    echo "FAIL  $target (exit $rc) after ${done_runs:-?} runs; findings: $(ls "$BUILD/findings" | grep "^$target-" | tr '\n' ' ')"
    grep -m1 -B2 -A25 "ERROR\|runtime error\|deadly signal\|uncaught\|terminate" "$BUILD/$target.log" | head -60
  fi
}
run fuzz_packet 400000
run fuzz_cdf 200000
run fuzz_config 15000 testbench/scenarios topologies tests/bad-inputs
run fuzz_topology 8000 topologies tests/bad-inputs
echo "fuzz: $total_runs runs in $((SECONDS - start_all)) s"
echo "fuzz: $((4 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
