// Transactor: PANAMA contributions (TLM packets as wire bytes) -> pin-level valid/ready stimulus for
// a Verilated aggregation datapath with agg_top's pins (testbench/rtl/agg_top.v), and the RTL's
// complete stream -> result element vectors with their completion cycles.
//
// Mapping (docs/cosim.md): a packet of `count` elements is ceil(count / LANES) beats; each beat of a
// PANAMA slot (job, tree, iteration, seq) gets its own RTL slot ("sub-slot"), armed with the expected
// children bitmap before the slot's first beat is offered. A contribution from child c is offered as
// its beats in order on the contribution stream, from its `present` cycle on, contributions strictly
// in push order (the arrival order), so the RTL sums each slot in the same order as the model.
// Arms are issued in cycles where no contribution beat is offered (up to kArmLookahead cycles before
// the slot's first contribution) or, if the head contribution's slot is still unarmed, in place of it.
// An RTL slot is freed when its final sum leaves on the complete stream (cpl_ready is held at 1).
//
// Clocking: the transactor drives the RTL clock itself at the accelerator's clock period (inputs
// change at the falling edge, outputs are sampled just before the rising edge). Cycle n is the rising
// edge at origin + n * period. The clock starts at elaboration (start(false)) or when start() is
// called between two sc_start() calls; it stops when every pushed contribution has been summed and
// every slot has completed, and skips edges while the datapath is idle.
#pragma once

#include "common/clock.h"
#include "cosim/rtl_registry.h"

#include <systemc>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace panama::cosim {

// One completed PANAMA slot as the RTL produced it.
struct RtlCompletion {
  uint64_t key = 0;         // SlotKey::packed() of the slot
  uint64_t head_cycle = 0;  // cycle beat 0's final sum transferred on the complete stream
  uint64_t last_cycle = 0;  // cycle the last beat's final sum transferred
  std::vector<uint32_t> elements;  // binary32 bit patterns, `count` of them
};

class Transactor : public sc_core::sc_module {
 public:
  RtlPins pins;  // declared first: the RTL model binds to it and is destroyed before it

  static constexpr uint64_t kArmLookahead = 64;  // cycles an arm may precede its slot's first beat
  static constexpr uint64_t kWatchdogCycles = 100000;

  // Instantiates `variant` (a Verilated top) as a child module and binds it to `pins`.
  Transactor(const sc_core::sc_module_name& name, const RtlVariant& variant, double clock_mhz,
             bool start_at_elaboration);
  ~Transactor() override;

  // Queues one contribution: the wire bytes of a PANAMA fp32 contribution frame from `child`,
  // offered to the RTL from cycle `present` on, for a slot that expects the children in `children_mask`.
  // Contributions must be pushed in arrival order (non-decreasing `present`). Throws
  // std::invalid_argument on a frame that is not an fp32 contribution or a child/mask the RTL cannot take.
  void push(uint64_t present, uint32_t child, const uint8_t* frame, size_t len, uint64_t children_mask);

  // Starts the clock at the next cycle boundary (call between sc_start() calls).
  void start();

  using sc_core::sc_object::trace;  // (sc_object's own overload stays visible beside the windowed one)
  // Records the pins in `tf` for cycles [from_cycle, to_cycle) (the variables only change there).
  void trace(sc_core::sc_trace_file* tf, uint64_t from_cycle, uint64_t to_cycle);

  bool finished() const { return finished_; }
  ps_t origin_ps() const { return origin_ps_; }
  const Clock& clock() const { return clk_; }
  const std::vector<RtlCompletion>& completions() const { return completions_; }
  const std::vector<std::string>& errors() const { return errors_; }  // drops, bad counts, watchdog
  uint64_t cycles() const { return cycle_; }           // last cycle simulated
  uint64_t edges() const { return edges_; }            // clock edges actually toggled (idle ones skipped)
  uint64_t beats() const { return beats_; }            // contribution beats accepted
  uint64_t arms() const { return arms_; }
  uint64_t in_stall_cycles() const { return in_stalls_; }    // beat offered, in_ready = 0
  uint64_t slot_stall_cycles() const { return slot_stalls_; }  // head waits for a free RTL slot
  uint64_t peak_rtl_slots() const { return peak_slots_; }
 private:
  struct Contribution {
    uint64_t present;
    uint64_t key;
    uint32_t child;
    uint32_t beat = 0;  // next beat to offer
    std::vector<uint32_t> elements;  // padded to whole beats
  };
  struct SlotState {
    uint64_t mask = 0;
    uint32_t count = 0, beats = 0;
    uint64_t first_present = 0;
    std::vector<int32_t> rtl;  // RTL slot of each beat (allocated in order)
    uint32_t armed = 0;        // arms that took effect
    uint32_t completed = 0;    // beats whose final sum came back
    RtlCompletion result;
  };
  struct Owner {
    uint64_t key;
    uint32_t beat;
  };

  void run();
  void drive(uint64_t n);
  void sample(uint64_t n);
  bool idle(uint64_t n) const;

  const Clock clk_;
  std::unique_ptr<sc_core::sc_module> rtl_;
  const uint32_t rtl_slots_, rtl_children_;
  bool start_now_;
  sc_core::sc_event start_ev_;

  std::deque<Contribution> queue_;
  std::deque<uint64_t> to_arm_;
  std::unordered_map<uint64_t, SlotState> slots_;
  std::vector<Owner> owner_;
  std::vector<int32_t> free_;
  std::vector<RtlCompletion> completions_;
  std::vector<std::string> errors_;

  // What drive() put on the pins for the coming edge.
  bool arm_driven_ = false, in_driven_ = false;
  uint64_t arm_key_ = 0;

  ps_t origin_ps_ = 0;
  uint64_t cycle_ = 0, edges_ = 0, beats_ = 0, arms_ = 0, in_stalls_ = 0, slot_stalls_ = 0, peak_slots_ = 0;
  uint64_t last_issue_ = 0, last_progress_ = 0;
  bool finished_ = false;

  // Trace mirrors (updated only inside the window).
  bool tracing_ = false;
  uint64_t trace_from_ = 0, trace_to_ = 0;
  struct {
    uint64_t cycle = 0;
    bool arm_valid = false, arm_ready = false, in_valid = false, in_ready = false, cpl_valid = false,
         drop_valid = false;
    uint32_t arm_slot = 0, arm_children = 0, in_slot = 0, in_child = 0, cpl_slot = 0, cpl_count = 0;
    uint32_t in_data[kRtlLanes] = {}, cpl_data[kRtlLanes] = {};
    uint32_t in_seq = 0, cpl_seq = 0;  // PANAMA seq of the beat offered / completed
  } tv_;
};

}  // namespace panama::cosim
