// `panama cosim`: co-simulation of the TLM accelerator against a Verilated RTL aggregation datapath
// (docs/cosim.md). One elaboration holds both: the same random + corner-case contributions enter the
// Accelerator through a TlmDriver (one port per child) and the RTL through the Transactor, in the same
// arrival order, and a scoreboard compares every result element bit for bit and every slot's
// completion cycle within a tolerance.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace panama::cosim {

struct CosimConfig {
  std::string rtl_top = "agg_top";  // a registered Verilated top (rtl_registry.h)
  uint64_t packets = 4000;          // contributions; rounded up to whole slots of `children`
  uint32_t children = 4;            // contributing children (ports 0..children-1), 2..8
  uint32_t elements = 16;           // fp32 elements per packet
  uint32_t window = 8;              // slots receiving contributions at once (interleaving)
  // Arrival gaps are uniform in [0, max_gap_cycles] cycles. 0 = derived: the RTL's contribution
  // stream (beats per packet, plus one arm per beat of every new slot) is loaded to about 60%.
  uint32_t max_gap_cycles = 0;
  uint64_t seed = 0x50414E414D41ull;
  double clock_mhz = 250.0;         // accelerator clock = RTL clock
  // Completion-cycle tolerance: |TLM - RTL| <= cycle_tolerance cycles for every slot. 0 = derived
  // from the structural differences (docs/cosim.md, "Cycle tolerance"):
  //   sram_latency_cycles x children + adder_latency_cycles + beats per packet.
  uint32_t cycle_tolerance = 0;

  // Run mode. false: the TLM pass and the RTL pass are separate timed sc_start() segments of one
  // elaboration (tlm_wall_s, rtl_wall_s). true: both run together on one time axis (for waveforms).
  bool concurrent = false;
  std::string vcd;                        // VCD file; only written by a concurrent run
  uint64_t vcd_from_cycle = 0, vcd_to_cycle = 0;
  uint32_t vcd_watch_element = 0;         // the TLM result element traced beside the RTL's lanes
};

// Runs one co-simulation in this process (SystemC allows one elaboration per process) and returns
// its figures: packets, slots, slots_compared, mismatches (elements), mismatched_slots,
// first_mismatch {slot, element, tlm, rtl, reference, tlm_cycle, rtl_cycle}, max_cycle_error,
// max_cycle_error_pct, cycle_violations, tlm_wall_s, rtl_wall_s, wall_ratio, errors, ...
nlohmann::json run_cosim(const CosimConfig& cfg);

// Runs run_cosim in a child process (run_isolated); with cfg.vcd set, then re-runs it concurrently in
// another child to write a VCD window of both models around the first mismatch (or, without one,
// around the slot with the largest completion-cycle error).
nlohmann::json cosim(const CosimConfig& cfg);

// The human-readable summary `panama cosim` prints.
std::string cosim_report(const nlohmann::json& j);

}  // namespace panama::cosim
