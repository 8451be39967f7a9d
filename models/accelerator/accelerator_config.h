// Parameters of one PANAMA aggregation accelerator: the one config struct the accelerator modules, the
// area model and the CLI read. Defaults describe a 100 Gbps-class design (512-bit datapath at 250 MHz).
#pragma once

#include <cstdint>
#include <string>

namespace panama {

class ConfigRegistry;

struct AcceleratorConfig {
  // Clock and datapath.
  double clock_mhz = 250.0;          // core clock of the accelerator datapath
  uint32_t datapath_bits = 512;      // internal bus width: parser and egress beat size
  uint32_t ports = 4;                // switch ports the accelerator serves (ingress = egress count)
  double port_gbps = 100.0;          // line rate of each port
  uint32_t mtu_bytes = 1500;         // largest IP packet; sizes SRAM slots

  // Ingress parser.
  uint32_t parser_latency_cycles = 4;   // head-of-packet latency through the parser
  uint32_t ingress_fifo_packets = 8;    // per-port input FIFO in front of the parser

  // Buffer SRAM (on-chip only).
  uint32_t sram_kib = 1024;             // packet memory for partial sums (all jobs)
  uint32_t sram_width_bits = 512;       // width of one bank
  uint32_t sram_banks = 1;              // banks, interleaved: a beat of all banks per cycle
  uint32_t sram_ports = 2;              // 1 = one port shared by read and write, 2 = 1R + 1W
  uint32_t sram_latency_cycles = 2;     // read latency (a write occupies the port for its beats only)

  // FP adder tree.
  uint32_t lanes = 16;                  // FP32 lanes (elements per cycle per operand)
  uint32_t fan_in = 2;                  // operands per lane tree (2 = running accumulate)
  uint32_t adder_latency_cycles = 3;    // pipeline latency of one FP adder level

  // Egress mux.
  uint32_t egress_latency_cycles = 2;   // arbitration + output register latency
  uint32_t egress_fifo_packets = 16;    // aggregated frames the mux holds before the engine stalls
  uint32_t max_jobs = 16;               // job contexts (slot-table partitions) the accelerator holds
  uint32_t result_cache_slots = 0;      // emitted aggregated packets kept per job and tree for retransmissions (0 = the job's share)

  // Area model.
  double process_nm = 16.0;             // ASIC process node for the area estimate

  void register_params(ConfigRegistry& reg, const std::string& prefix = "accelerator");
  // Cross-field checks; throws ConfigError naming the offending key.
  void validate() const;

  // Derived figures.
  uint32_t adder_levels() const;              // ceil(log2(fan_in))
  uint32_t adder_tree_latency_cycles() const { return adder_levels() * adder_latency_cycles; }
  uint32_t max_payload_bytes() const;         // largest PANAMA element payload within the MTU
  uint32_t slot_bytes() const;                // one slot: max payload rounded up to an SRAM row
  uint32_t total_slots() const;               // sram bytes / slot bytes
  double datapath_gbps() const { return datapath_bits * clock_mhz / 1000.0; }
  // Cycles a frame of `bytes` occupies a datapath_bits-wide bus (the parser, each egress lane side).
  uint64_t bus_beats(uint64_t bytes) const { return (bytes + datapath_bits / 8 - 1) / (datapath_bits / 8); }
};

}  // namespace panama
