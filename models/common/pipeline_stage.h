// "Busy until cycle N": the timing of one pipelined hardware stage. An item that is ready at cycle r
// starts at max(r, free_at) and occupies the stage for its beats; the next item may start when the
// previous one's last beat has entered. Every stage of the accelerator (parser, SRAM ports, adder
// tree) keeps its timing this way instead of being clocked cycle by cycle.
#pragma once

#include <cstdint>

namespace panama {

class PipelineStage {
 public:
  // Reserve the stage for `beats` cycles from the first cycle at or after `ready`; returns the start.
  uint64_t reserve(uint64_t ready, uint64_t beats) {
    const uint64_t start = ready > free_at_ ? ready : free_at_;
    free_at_ = start + beats;
    busy_cycles_ += beats;
    ++items_;
    return start;
  }
  uint64_t free_at() const { return free_at_; }
  uint64_t busy_cycles() const { return busy_cycles_; }
  uint64_t items() const { return items_; }

 private:
  uint64_t free_at_ = 0, busy_cycles_ = 0, items_ = 0;
};

}  // namespace panama
