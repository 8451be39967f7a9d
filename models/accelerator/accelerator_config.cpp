#include "accelerator/accelerator_config.h"

#include "common/config.h"
#include "common/clock.h"
#include "protocol/packet.h"

namespace panama {

void AcceleratorConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add(p + ".clock_mhz", &clock_mhz, "core clock of the accelerator datapath, MHz", 1.0, 5000.0);
  reg.add(p + ".datapath_bits", &datapath_bits, "internal bus width in bits (parser beat)", 32, 8192);
  reg.add(p + ".ports", &ports, "switch ports served by the accelerator (children bitmap is 64 bits)", 1, 64);
  reg.add(p + ".port_gbps", &port_gbps, "line rate of each port, Gbps", 0.001, 1600.0);
  reg.add(p + ".mtu_bytes", &mtu_bytes, "largest IP packet in bytes (sizes the SRAM slots)", 128, 9000);
  reg.add(p + ".parser_latency_cycles", &parser_latency_cycles, "ingress parser head latency, cycles", 0,
          1000);
  reg.add(p + ".ingress_fifo_packets", &ingress_fifo_packets, "per-port ingress FIFO depth, packets", 1,
          1 << 20);
  reg.add(p + ".sram_kib", &sram_kib, "buffer SRAM capacity for partial sums, KiB", 1, 1 << 20);
  reg.add(p + ".sram_width_bits", &sram_width_bits, "width of one SRAM bank, bits", 32, 8192);
  reg.add(p + ".sram_banks", &sram_banks, "interleaved SRAM banks", 1, 64);
  reg.add(p + ".sram_ports", &sram_ports, "SRAM ports: 1 shared read/write, 2 = one read + one write", 1, 2);
  reg.add(p + ".sram_latency_cycles", &sram_latency_cycles, "SRAM read latency, cycles", 1, 100);
  reg.add(p + ".lanes", &lanes, "FP32 adder lanes (elements per cycle)", 1, 1024);
  reg.add(p + ".fan_in", &fan_in, "operands per lane adder tree (2 = running accumulate)", 2, 64);
  reg.add(p + ".adder_latency_cycles", &adder_latency_cycles, "pipeline latency of one FP adder level, cycles",
          1, 100);
  reg.add(p + ".egress_latency_cycles", &egress_latency_cycles, "egress mux latency, cycles", 0, 1000);
  reg.add(p + ".egress_fifo_packets", &egress_fifo_packets,
          "aggregated frames waiting in the egress mux before the aggregation engine stalls", 1, 1 << 16);
  reg.add(p + ".max_jobs", &max_jobs, "job contexts held at once", 1, 4096);
  reg.add(p + ".result_cache_slots", &result_cache_slots,
          "aggregated packets kept per job and tree to answer retransmissions (0 = as many as the job's memory share)", 0, 1 << 20);
  reg.add(p + ".process_nm", &process_nm, "ASIC process node for the area estimate, nm", 3.0, 180.0);
}

void AcceleratorConfig::validate() const {
  const std::string p = "accelerator";
  config_require(datapath_bits % 32 == 0, p + ".datapath_bits", "must be a multiple of 32");
  config_require(sram_width_bits % 32 == 0, p + ".sram_width_bits", "must be a multiple of 32");
  config_require(total_slots() >= 1, p + ".sram_kib",
                 "holds no slot: one slot needs " + std::to_string(slot_bytes()) + " bytes");
  config_require(total_slots() >= max_jobs, p + ".sram_kib",
                 "gives fewer slots (" + std::to_string(total_slots()) + ") than accelerator.max_jobs (" +
                     std::to_string(max_jobs) + ")");
  config_require(ports <= 64, p + ".ports", "must be at most 64 (children bitmap is 64 bits)");
}

uint32_t AcceleratorConfig::adder_levels() const {
  uint32_t levels = 0;
  while ((1u << levels) < fan_in) ++levels;
  return levels;
}

uint32_t AcceleratorConfig::max_payload_bytes() const { return max_elements_for_mtu(mtu_bytes, ElementType::fp32) * 4; }

uint32_t AcceleratorConfig::slot_bytes() const {
  uint32_t row = sram_width_bits / 8 * sram_banks;
  return uint32_t(div_ceil(max_payload_bytes(), row) * row);
}

uint32_t AcceleratorConfig::total_slots() const { return uint32_t(uint64_t(sram_kib) * 1024 / slot_bytes()); }

}  // namespace panama
