#include "accelerator/area_model.h"

#include "common/clock.h"
#include "protocol/packet.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace panama {
namespace area {
namespace {

struct NodePoint {
  double nm;
  double value;
};

// High-density 6T SRAM bit cell, um^2, by node (sources and confidence: docs/area-model.md).
constexpr NodePoint kSramBitcellUm2[] = {
    {45.0, 0.346},   // Intel 45 nm
    {28.0, 0.127},   // TSMC 28 nm HD
    {16.0, 0.074},   // TSMC 16FF+ HD
    {10.0, 0.040},   // Samsung 10 nm HD
    {7.0, 0.027},    // TSMC N7 HD
    {5.0, 0.021},    // TSMC N5 HD (N3E keeps it)
    {3.0, 0.0199},   // TSMC N3B HD
};

// Logic transistor density, MTr/mm^2 (Bohr's 0.6 NAND2 + 0.4 scan-FF metric), by node.
constexpr NodePoint kLogicMtrPerMm2[] = {
    {45.0, 3.3},     // Intel 45 nm
    {16.0, 28.88},   // TSMC 16FF+
    {7.0, 91.2},     // TSMC N7
    {5.0, 171.3},    // TSMC N5 (claimed 1.84x N7)
    {3.0, 291.2},    // TSMC N3 (claimed 1.7x N5)
};

// Piecewise power law through the table: straight lines in log(value) vs log(nm). Area-type quantities
// follow a power of the feature size between neighbouring nodes far better than a straight line does.
// Outside the table the end segment is extended (an extrapolation, flagged in the doc).
template <size_t N>
double interpolate_log_log(const NodePoint (&table)[N], double nm) {
  size_t i = 0;  // segment [i, i+1], table sorted by decreasing nm
  while (i + 2 < N && nm < table[i + 1].nm) ++i;
  const double x0 = std::log(table[i].nm), x1 = std::log(table[i + 1].nm);
  const double y0 = std::log(table[i].value), y1 = std::log(table[i + 1].value);
  const double t = (std::log(nm) - x0) / (x1 - x0);
  return std::exp(y0 + t * (y1 - y0));
}

uint32_t ceil_log2(uint64_t n) {
  uint32_t bits = 0;
  while ((uint64_t(1) << bits) < n) ++bits;
  return bits;
}

uint64_t next_pow2(uint64_t n) { return uint64_t(1) << ceil_log2(n); }

// One beat as an ASIC stores it: data, byte enables, end-of-packet.
uint32_t asic_beat_bits(const AcceleratorConfig& cfg) { return cfg.datapath_bits + cfg.datapath_bits / 8 + 1; }

// Beats of `packets` maximum-size frames (MTU + Ethernet header) on the datapath.
uint64_t fifo_depth_beats(const AcceleratorConfig& cfg) {
  const uint64_t frame_bytes = uint64_t(cfg.mtu_bytes) + kEthHeaderBytes;
  return div_ceil(uint64_t(cfg.ingress_fifo_packets) * frame_bytes, cfg.datapath_bits / 8);
}

uint64_t fp_adder_count(const AcceleratorConfig& cfg) { return uint64_t(cfg.lanes) * (cfg.fan_in - 1); }

// FPGA memory: distributed RAM when small, block RAM otherwise.
FpgaResources fpga_memory(uint64_t width_bits, uint64_t depth, bool simple_dual_port) {
  FpgaResources r;
  if (width_bits * depth <= kLutramMaxBits) {
    r.lut = div_ceil(depth, 64) * div_ceil(width_bits, 3) * 4;
  } else {
    r.bram36 = bram36_tiles(width_bits, depth, simple_dual_port);
  }
  return r;
}

}  // namespace

double sram_bitcell_um2(double process_nm) { return interpolate_log_log(kSramBitcellUm2, process_nm); }

double logic_density_mtr_per_mm2(double process_nm) { return interpolate_log_log(kLogicMtrPerMm2, process_nm); }

// 1 MTr/mm^2 is 1 transistor/um^2, so a 4-transistor NAND2 equivalent takes 4 / density um^2.
double gate_equivalent_um2(double process_nm) {
  return kTransistorsPerGate / logic_density_mtr_per_mm2(process_nm);
}

// Logic scales with the inverse of logic density from the node the adder was characterised at.
double fp32_adder_um2(double process_nm) {
  return kHorowitzFp32AddUm2 * logic_density_mtr_per_mm2(kHorowitzNodeNm) / logic_density_mtr_per_mm2(process_nm);
}

double sram_macro_mm2(uint64_t bits, uint32_t ports, double process_nm) {
  const double bitcell_mm2 = double(bits) * sram_bitcell_um2(process_nm) * 1e-6;
  return bitcell_mm2 / kSramArrayEfficiency * (ports >= 2 ? kTwoPortSramFactor : 1.0);
}

double logic_mm2(double gate_equivalents, double process_nm) {
  return gate_equivalents * gate_equivalent_um2(process_nm) / kPlacementUtilisation * 1e-6;
}

uint32_t slot_index_bits(const AcceleratorConfig& cfg) { return std::max(1u, ceil_log2(cfg.total_slots())); }

uint32_t slot_entry_bits(const AcceleratorConfig& cfg) {
  const uint32_t arrival_counter_bits = ceil_log2(uint64_t(cfg.ports) + 1);  // counts 0..ports
  return kSlotKeyBits + cfg.ports + arrival_counter_bits + 2;                 // + valid + ECN-OR
}

uint32_t job_partition_bits(const AcceleratorConfig& cfg) {
  return 16 + 2 * slot_index_bits(cfg) + 16;  // job id, base and limit slot, 16-bit window cap
}

uint64_t bram36_tiles(uint64_t width_bits, uint64_t depth, bool simple_dual_port) {
  // RAMB36E1/E2 aspect ratios: width x depth = 36 Kib including the parity bits, which are usable as
  // data. The 72-bit-wide shape exists only in simple dual-port mode (one read and one write port).
  struct Shape {
    uint64_t width, depth;
  };
  constexpr Shape kShapes[] = {{72, 512},  {36, 1024},  {18, 2048},  {9, 4096},
                               {4, 8192}, {2, 16384}, {1, 32768}};
  uint64_t best = UINT64_MAX;
  for (const Shape& s : kShapes) {
    if (s.width == 72 && !simple_dual_port) continue;
    best = std::min(best, div_ceil(width_bits, s.width) * div_ceil(depth, s.depth));
  }
  return best;
}

uint32_t axis_beat_bits(const AcceleratorConfig& cfg) { return asic_beat_bits(cfg) + kAxisTuserBits; }

}  // namespace area

AsicArea estimate_asic_area(const AcceleratorConfig& cfg) {
  using namespace area;
  const double nm = cfg.process_nm;
  const double beat = asic_beat_bits(cfg);
  AsicArea a;
  a.process_nm = nm;

  a.sram_mm2 = sram_macro_mm2(uint64_t(cfg.sram_kib) * 8192, cfg.sram_ports, nm);

  // Slot entries are read-modified-written once per packet: a 1R1W macro. The per-job partition
  // registers and the key/job comparators are flip-flops and logic.
  const double slot_gates = double(cfg.max_jobs) * job_partition_bits(cfg) * kGatesPerFlipFlop +
                            (kSlotKeyBits + double(cfg.max_jobs) * 16) * kGatesPerCompareBit;
  a.slot_table_mm2 = sram_macro_mm2(uint64_t(cfg.total_slots()) * slot_entry_bits(cfg), 2, nm) +
                     logic_mm2(slot_gates, nm);

  a.fp_adders_mm2 = double(fp_adder_count(cfg)) * fp32_adder_um2(nm) / kPlacementUtilisation * 1e-6;

  // Per port: pipeline registers, a buffer holding the headers up to the first element (they span
  // several beats on a narrow bus), and the match/extract control.
  const double header_bits = double(kElementsOffset) * 8;
  const double parser_gates_per_port =
      (cfg.parser_latency_cycles * beat + header_bits) * kGatesPerFlipFlop + kParserMatchGates;
  a.parser_mm2 = logic_mm2(cfg.ports * parser_gates_per_port, nm);

  const uint64_t fifo_bits_per_port = fifo_depth_beats(cfg) * uint64_t(beat);
  a.fifos_mm2 = sram_macro_mm2(fifo_bits_per_port * cfg.ports, 2, nm) + logic_mm2(cfg.ports * kFifoControlGates, nm);

  // Each output selects among its own pass-through input and the aggregation result from every
  // port: a (ports+1):1 mux built from ports 2:1 muxes per bit.
  const double mux_inputs = double(cfg.ports) + 1;
  const double egress_gates_per_port = (mux_inputs - 1) * beat * kGatesPerMux2Bit +
                                       cfg.egress_latency_cycles * beat * kGatesPerFlipFlop + kArbiterGates;
  a.egress_mux_mm2 = logic_mm2(cfg.ports * egress_gates_per_port, nm);

  a.total_mm2 = a.sram_mm2 + a.slot_table_mm2 + a.fp_adders_mm2 + a.parser_mm2 + a.fifos_mm2 + a.egress_mux_mm2;
  return a;
}

FpgaBreakdown estimate_fpga_breakdown(const AcceleratorConfig& cfg) {
  using namespace area;
  const uint64_t beat = axis_beat_bits(cfg);
  const bool sram_sdp = cfg.sram_ports >= 2;
  FpgaBreakdown b;

  const uint64_t bank_depth = div_ceil(uint64_t(cfg.sram_kib) * 8192, uint64_t(cfg.sram_banks) * cfg.sram_width_bits);
  b.sram.bram36 = cfg.sram_banks * bram36_tiles(cfg.sram_width_bits, bank_depth, sram_sdp);
  b.sram.lut = cfg.sram_banks * kSramControlLut;
  b.sram.ff = cfg.sram_banks * kSramControlFf;

  // A LUT6 compares three bit pairs; the job match is one 16-bit compare per partition.
  b.slot_table = fpga_memory(slot_entry_bits(cfg), cfg.total_slots(), true);
  b.slot_table.lut += div_ceil(kSlotKeyBits, 3) + uint64_t(cfg.max_jobs) * div_ceil(16, 3);
  b.slot_table.ff += uint64_t(cfg.max_jobs) * job_partition_bits(cfg);

  const uint64_t adders = fp_adder_count(cfg);
  b.fp_adders = {adders * kFpAdderLut, adders * kFpAdderFf, 0, adders * kFpAdderDsp};

  b.parser.lut = cfg.ports * kParserLutPer64Bits * div_ceil(cfg.datapath_bits, 64);
  b.parser.ff = cfg.ports * (cfg.parser_latency_cycles * beat + kParserFsmFf);

  // FIFO depths round up to a power of two, as FIFO generators and fallthrough FIFOs do.
  const FpgaResources fifo = fpga_memory(beat, next_pow2(fifo_depth_beats(cfg)), true);
  b.fifos = {cfg.ports * (fifo.lut + kFifoControlLut), cfg.ports * kFifoControlFf, cfg.ports * fifo.bram36, 0};

  // A LUT6 is a 4:1 mux; each further three inputs cost one more LUT per bit.
  const uint64_t mux_lut_per_bit = div_ceil(cfg.ports, 3);  // (ports+1):1 mux
  b.egress_mux.lut = cfg.ports * (beat * mux_lut_per_bit + kArbiterLut);
  b.egress_mux.ff = cfg.ports * (cfg.egress_latency_cycles * beat + kArbiterFf);
  return b;
}

FpgaResources estimate_fpga_resources(const AcceleratorConfig& cfg) { return estimate_fpga_breakdown(cfg).total(); }

// The prototype project's own placed build of 12 Nov 2018 (nadeengebara/my_netfpga, commit 91273cb,
// Vivado 2016.4, xc7vx690t): same NetFPGA infrastructure as the final build, no DSPs, i.e. no FP adders.
FpgaResources netfpga_sume_shell() { return {34606, 49973, 133, 0}; }

// The final placed build of 15 Nov 2018 (commit c729f70), quoted in docs and reference.md.
FpgaResources netfpga_sume_prototype_reported() { return {37008, 54119, 150, 12}; }

AcceleratorConfig netfpga_sume_prototype_config() {
  AcceleratorConfig c;
  c.clock_mhz = 200.0;
  c.datapath_bits = 64;
  c.ports = 4;
  c.port_gbps = 10.0;
  c.mtu_bytes = 1500;
  c.parser_latency_cycles = 0;  // fall-through parser after the input FIFO, no pipeline registers
  c.ingress_fifo_packets = 1;   // one packet per port: the prototype FIFO held MAX_PKT_SIZE = 2000 B,
                                // 250 beats, 256 deep -- the same depth this gives
  c.sram_kib = 4;               // result buffer: two RAMB18 result FIFOs in the placed report
  c.sram_width_bits = 64;
  c.sram_banks = 1;
  c.sram_ports = 2;
  c.lanes = 2;                  // 64-bit beat = 2 FP32 elements
  c.fan_in = 4;                 // one operand per port: 3 adders per lane
  c.adder_latency_cycles = 1;
  c.egress_latency_cycles = 2;
  c.max_jobs = 1;
  c.process_nm = 28.0;          // Virtex-7 is a 28 nm part; only used if an ASIC estimate is asked for
  return c;
}

}  // namespace panama
