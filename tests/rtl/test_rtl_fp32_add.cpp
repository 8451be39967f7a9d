// Co-simulation of the reference RTL adder (testbench/rtl/fp32_add.v, Verilated to C++) against
// the integer-only arithmetic reference panama::ref::fp32_add. Every output is compared bit for
// bit, together with its tag (which proves ordering) and its latency in enabled clock edges.
//
// The stimulus exercises the pipeline controls too: in_valid has gaps and ce is dropped at random,
// so bubbles and stalls are both in the stream.
//
// Usage: test_rtl_fp32_add [--vectors N] [--expect-mismatches]
//   --expect-mismatches  the build under test is the BROKEN_TRUNCATE variant: the run passes only
//                        if the scoreboard finds mismatches (it proves the comparison has teeth).
// Prints "N passed, N failed" and returns nonzero on failure.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <vector>

#include "Vfp32_add.h"
#include "verilated.h"

#include "support/softfloat_ref.h"

namespace {

constexpr int adder_latency = 4;  // fp32_add.v: four register stages
constexpr uint64_t seed = 0x50414E414D41ull;
constexpr int default_vectors = 4'000'000;

struct operation {
  uint32_t a;
  uint32_t b;
  uint32_t tag;
  uint64_t issued_at;  // enabled clock edge that sampled the operands
  const char* why;     // set for corner cases, null for random vectors
};

class scoreboard {
 public:
  void expect(const operation& op) { pending_.push_back(op); }

  void observe(uint32_t result, uint32_t tag, uint64_t edge) {
    if (pending_.empty()) {
      ++failed_;
      if (++shown_ <= max_shown) std::printf("  output 0x%08x (tag 0x%08x) with nothing pending\n", result, tag);
      return;
    }
    const operation op = pending_.front();
    pending_.pop_front();
    const uint32_t want = panama::ref::fp32_add(op.a, op.b);
    ++compared_;
    // Latency counts the sampling edge as the first of the four stage edges.
    const uint64_t latency = edge - op.issued_at + 1;
    bool ok = true;
    if (result != want) {
      ok = false;
      if (++shown_ <= max_shown) {
        std::printf("  MISMATCH %s: 0x%08x + 0x%08x: rtl 0x%08x, reference 0x%08x\n",
                    op.why != nullptr ? op.why : "random vector", op.a, op.b, result, want);
      }
    }
    if (tag != op.tag || latency != adder_latency) {
      ok = false;
      if (++shown_ <= max_shown) {
        std::printf("  tag 0x%08x after %llu enabled edges, expected tag 0x%08x after %d: reordered or mistimed\n",
                    tag, static_cast<unsigned long long>(latency), op.tag, adder_latency);
      }
    }
    ok ? ++passed_ : ++failed_;
  }

  bool drained() const { return pending_.empty(); }
  uint64_t compared() const { return compared_; }
  uint64_t passed() const { return passed_; }
  uint64_t failed() const { return failed_; }

 private:
  static constexpr int max_shown = 10;  // diagnostics printed; the rest are only counted

  std::deque<operation> pending_;
  uint64_t compared_ = 0;
  uint64_t passed_ = 0;
  uint64_t failed_ = 0;
  int shown_ = 0;
};

// Drives the Verilated adder one clock cycle at a time: inputs are set while clk is low and
// sampled on the rising edge; outputs are read after it.
class adder_bench {
 public:
  adder_bench() : dut_(&context_) {
    dut_.clk = 0;
    dut_.rst = 1;
    dut_.ce = 1;
    dut_.in_valid = 0;
    dut_.a = 0;
    dut_.b = 0;
    dut_.in_tag = 0;
    for (int i = 0; i < 3; ++i) tick();
    dut_.rst = 0;
  }

  ~adder_bench() { dut_.final(); }
  adder_bench(const adder_bench&) = delete;
  adder_bench& operator=(const adder_bench&) = delete;

  // One cycle. `op` (may be null) is presented with in_valid; returns true if it was sampled.
  bool cycle(const operation* op, bool ce, scoreboard& board) {
    dut_.ce = ce ? 1 : 0;
    dut_.in_valid = op != nullptr ? 1 : 0;
    if (op != nullptr) {
      dut_.a = op->a;
      dut_.b = op->b;
      dut_.in_tag = op->tag;
    }
    tick();
    if (!ce) {
      // A held pipeline must not change its output.
      if (dut_.out_valid != held_valid_ || dut_.result != held_result_) ++stall_violations_;
      return false;
    }
    ++enabled_edges_;
    held_valid_ = dut_.out_valid;
    held_result_ = dut_.result;
    if (dut_.out_valid) board.observe(dut_.result, dut_.out_tag, enabled_edges_);
    return op != nullptr;
  }

  uint64_t enabled_edges() const { return enabled_edges_; }
  uint64_t stall_violations() const { return stall_violations_; }

 private:
  void tick() {
    dut_.clk = 0;
    dut_.eval();
    dut_.clk = 1;
    dut_.eval();
    context_.timeInc(1);
  }

  VerilatedContext context_;
  Vfp32_add dut_;
  uint64_t enabled_edges_ = 0;
  uint64_t stall_violations_ = 0;
  uint8_t held_valid_ = 0;
  uint32_t held_result_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int vectors = default_vectors;
  bool expect_mismatches = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--expect-mismatches") == 0) {
      expect_mismatches = true;
    } else if (std::strcmp(argv[i], "--vectors") == 0 && i + 1 < argc) {
      vectors = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--vectors N] [--expect-mismatches]\n", argv[0]);
      return 2;
    }
  }

  // The stimulus: every hand-derived corner case in both operand orders, then random pairs.
  std::vector<operation> stimulus;
  for (const panama::ref::fp32_add_corner& c : panama::ref::fp32_add_corners()) {
    stimulus.push_back({c.a, c.b, 0, 0, c.why});
    stimulus.push_back({c.b, c.a, 0, 0, c.why});
  }
  panama::ref::fp32_operand_generator generator(seed);
  for (int i = 0; i < vectors; ++i) {
    operation op{0, 0, 0, 0, nullptr};
    generator.pair(op.a, op.b);
    stimulus.push_back(op);
  }
  for (size_t i = 0; i < stimulus.size(); ++i) stimulus[i].tag = static_cast<uint32_t>(i);

  // Pipeline controls: about one cycle in eight has no input, one in sixteen holds the pipeline.
  std::mt19937_64 control(seed ^ 0xC0111201ull);
  adder_bench bench;
  scoreboard board;
  size_t next = 0;
  while (next < stimulus.size()) {
    const bool offer = control() % 8 != 0;
    const bool ce = control() % 16 != 0;
    operation* op = offer ? &stimulus[next] : nullptr;
    if (op != nullptr) op->issued_at = bench.enabled_edges() + 1;
    if (bench.cycle(op, ce, board)) {
      board.expect(*op);
      ++next;
    }
  }
  for (int i = 0; i < adder_latency + 2; ++i) bench.cycle(nullptr, true, board);

  const bool drained = board.drained() && board.compared() == stimulus.size();
  std::printf("fp32_add RTL vs panama::ref::fp32_add: %zu operations issued, %llu compared, %llu mismatched, "
              "%llu stall violations%s\n",
              stimulus.size(), static_cast<unsigned long long>(board.compared()),
              static_cast<unsigned long long>(board.failed()),
              static_cast<unsigned long long>(bench.stall_violations()), drained ? "" : ", NOT DRAINED");

  uint64_t passed;
  uint64_t failed;
  if (expect_mismatches) {
    // One check: the broken adder must be caught by the scoreboard.
    const bool caught = board.failed() > 0;
    std::printf("BROKEN_TRUNCATE variant %s (%llu mismatches)\n", caught ? "caught" : "NOT caught",
                static_cast<unsigned long long>(board.failed()));
    passed = caught ? 1 : 0;
    failed = caught ? 0 : 1;
  } else {
    passed = board.passed();
    failed = board.failed() + bench.stall_violations() + (drained ? 0 : 1);
  }
  std::printf("%llu passed, %llu failed\n", static_cast<unsigned long long>(passed),
              static_cast<unsigned long long>(failed));
  return failed == 0 ? 0 : 1;
}
