// FP adder tree: `lanes` lanes, each a `fan_in`-input tree of two-input FP adders
// (ceil(log2 fan_in) levels of `adder_latency_cycles` each). A pass reduces up to fan_in operand vectors
// of one slot (the stored partial sum plus queued contributions) at `lanes` elements per cycle; passes
// are pipelined, so the tree accepts a new pass once the previous one's last beat has entered.
#pragma once

#include "accelerator/accelerator_config.h"
#include "accelerator/fp_arith.h"
#include "common/clock.h"
#include "common/pipeline_stage.h"

#include <systemc>

#include <cstdint>

namespace panama {

class AdderTree : public sc_core::sc_module {
 public:
  AdderTree(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg)
      : sc_module(name), lanes_(cfg.lanes), fan_in_(cfg.fan_in), latency_(cfg.adder_tree_latency_cycles()) {}

  struct Pass {
    uint64_t start;      // first beat enters the tree
    uint64_t head_done;  // first result beat leaves the tree
    uint64_t occupancy;  // beats
  };
  // Earliest cycle the tree accepts a new pass.
  uint64_t free_at() const { return stage_.free_at(); }
  Pass reserve(uint64_t ready, uint32_t elements) {
    Pass p;
    p.occupancy = div_ceil(elements, lanes_);
    p.start = stage_.reserve(ready, p.occupancy);
    p.head_done = p.start + latency_;
    return p;
  }
  // The arithmetic of one pass, in the documented association order (fp_arith.h).
  void reduce(ElementType t, uint8_t* dst, const uint8_t* const* ops, uint32_t k, uint32_t count) const {
    reduce_elements(t, dst, ops, k, count);
  }

  uint32_t fan_in() const { return fan_in_; }
  uint32_t latency() const { return latency_; }
  uint64_t busy_cycles() const { return stage_.busy_cycles(); }
  uint64_t passes() const { return stage_.items(); }

 private:
  uint32_t lanes_, fan_in_, latency_;
  PipelineStage stage_;
};

}  // namespace panama
