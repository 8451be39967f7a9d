// Ingress parser: takes frames from every port's input FIFO, parses the headers at `datapath_bits / 8`
// bytes per cycle, and classifies each frame as an aggregation contribution, pass-through traffic or a
// malformed frame (dropped with its reason). One shared parser serves all ports, as in the prototype's
// single AXI-Stream pipeline: a frame occupies it for ceil(bytes / bytes_per_cycle) cycles and its
// head leaves `parser_latency_cycles` after it starts.
#pragma once

#include "accelerator/accelerator_config.h"
#include "common/clock.h"
#include "common/pipeline_stage.h"
#include "protocol/packet.h"

#include <systemc>

#include <cstdint>

namespace panama {

class IngressParser : public sc_core::sc_module {
 public:
  IngressParser(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg)
      : sc_module(name), cfg_(cfg), latency_(cfg.parser_latency_cycles) {}

  struct Slot {
    uint64_t start;     // cycle the frame's first beat enters the parser
    uint64_t head_out;  // cycle its head leaves (classification known)
    uint64_t occupancy; // cycles the frame occupies the parser
  };
  // Reserve the parser for a frame of `bytes` that is ready at cycle `ready`.
  Slot reserve(uint64_t ready, size_t bytes) {
    Slot s;
    s.occupancy = cfg_.bus_beats(bytes);
    s.start = stage_.reserve(ready, s.occupancy);
    s.head_out = s.start + latency_;
    return s;
  }
  DecodedPacket classify(const uint8_t* frame, size_t len) const { return decode(frame, len); }

  uint64_t busy_cycles() const { return stage_.busy_cycles(); }
  uint32_t latency() const { return latency_; }

 private:
  const AcceleratorConfig& cfg_;
  uint32_t latency_;
  PipelineStage stage_;
};

}  // namespace panama
