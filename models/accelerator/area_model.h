// Area model of one PANAMA aggregation accelerator, from its AcceleratorConfig:
//  - ASIC area in mm^2 at the configured process node, per block;
//  - FPGA resources (LUT, FF, BRAM36, DSP48) for a Xilinx 7-series / UltraScale-class part, per block,
//    plus the NetFPGA-SUME infrastructure ("shell") that the published prototype numbers include.
// Every constant below is listed with its source and uncertainty in docs/area-model.md; the constants
// are public so that tests derive their expected values from the same numbers.
#pragma once

#include "accelerator/accelerator_config.h"

#include <cstdint>

namespace panama {

struct AsicArea {
  double sram_mm2 = 0;        // buffer SRAM for partial sums
  double slot_table_mm2 = 0;  // slot entries (SRAM) + per-job partition registers + key match
  double fp_adders_mm2 = 0;   // lanes x (fan_in - 1) FP32 adders
  double parser_mm2 = 0;      // per-port header parse logic and pipeline registers
  double fifos_mm2 = 0;       // per-port ingress FIFO storage (SRAM) and pointers
  double egress_mux_mm2 = 0;  // per-output (ports+1):1 beat mux, output registers, arbiter
  double total_mm2 = 0;
  double process_nm = 0;
};

struct FpgaResources {
  uint64_t lut = 0;
  uint64_t ff = 0;
  uint64_t bram36 = 0;  // 36 Kib block-RAM tiles
  uint64_t dsp = 0;     // DSP48E1 / DSP48E2 slices

  FpgaResources& operator+=(const FpgaResources& o) {
    lut += o.lut;
    ff += o.ff;
    bram36 += o.bram36;
    dsp += o.dsp;
    return *this;
  }
  friend FpgaResources operator+(FpgaResources a, const FpgaResources& b) { return a += b; }
};

struct FpgaBreakdown {
  FpgaResources sram, slot_table, fp_adders, parser, fifos, egress_mux;
  FpgaResources total() const { return sram + slot_table + fp_adders + parser + fifos + egress_mux; }
};

// The estimates assume a config that passes AcceleratorConfig::validate().
AsicArea estimate_asic_area(const AcceleratorConfig& cfg);
FpgaBreakdown estimate_fpga_breakdown(const AcceleratorConfig& cfg);
FpgaResources estimate_fpga_resources(const AcceleratorConfig& cfg);  // accelerator only

// The NetFPGA-SUME infrastructure around the accelerator in the published prototype: 4 x 10G MAC/PCS,
// PCIe Gen3 + RIFFA DMA, MicroBlaze control subsystem, AXI interconnect, clocking (see the doc).
FpgaResources netfpga_sume_shell();
// The prototype's configuration (64-bit AXI-Stream, 2 lanes x 4-input trees, 4 x 10G ports) and its
// published whole-design utilisation, against which estimate + shell is checked.
AcceleratorConfig netfpga_sume_prototype_config();
FpgaResources netfpga_sume_prototype_reported();

namespace area {

// ---- ASIC: process-node tables (log-log interpolated between nodes; extrapolated outside them) ----
double sram_bitcell_um2(double process_nm);            // high-density 6T bit cell
double logic_density_mtr_per_mm2(double process_nm);  // Bohr metric (0.6 NAND2 + 0.4 scan-FF)
double gate_equivalent_um2(double process_nm);         // one NAND2 equivalent = 4 transistors
double fp32_adder_um2(double process_nm);              // standard-cell area of one FP32 adder
// Macro area of `bits` of SRAM with `ports` ports (1 = single port, 2 = one read + one write).
double sram_macro_mm2(uint64_t bits, uint32_t ports, double process_nm);
// Placed area of `gate_equivalents` NAND2 equivalents of standard-cell logic.
double logic_mm2(double gate_equivalents, double process_nm);

constexpr double kSramArrayEfficiency = 0.70;     // bit-cell area / macro area for large arrays
constexpr double kTwoPortSramFactor = 1.5;        // 1R1W macro area / single-port macro area
constexpr double kPlacementUtilisation = 0.70;    // standard-cell area / placed area
constexpr double kHorowitzFp32AddUm2 = 4184.0;    // FP32 adder at 45 nm (Horowitz, ISSCC 2014)
constexpr double kHorowitzNodeNm = 45.0;
constexpr double kTransistorsPerGate = 4.0;       // NAND2
constexpr double kGatesPerFlipFlop = 6.0;         // scan D flip-flop in NAND2 equivalents
constexpr double kGatesPerMux2Bit = 2.5;          // 2:1 mux per bit
constexpr double kGatesPerCompareBit = 1.5;       // XNOR + share of the AND reduction
constexpr double kParserMatchGates = 2000.0;      // per-port header match / field extract control
constexpr double kFifoControlGates = 200.0;       // per-FIFO pointers and flags
constexpr double kArbiterGates = 200.0;           // per-output round-robin arbiter

// ---- Slot table layout (shared by the ASIC and FPGA estimates) ----
constexpr uint32_t kSlotKeyBits = 16 + 8 + 32;  // job id, tree id, sequence number
uint32_t slot_entry_bits(const AcceleratorConfig& cfg);  // key + children bitmap + counter + valid + ECN
uint32_t slot_index_bits(const AcceleratorConfig& cfg);  // bits to address total_slots()
uint32_t job_partition_bits(const AcceleratorConfig& cfg);  // per job: id, base, limit, window cap

// ---- FPGA ----
// BRAM36 tiles for a `width_bits` x `depth` memory. Simple dual port (1R + 1W) allows up to 72-bit
// words (512 deep); single/true dual port allows up to 36 bits (1024 deep). Picks the best aspect.
uint64_t bram36_tiles(uint64_t width_bits, uint64_t depth, bool simple_dual_port);
// AXI-Stream beat as stored by FIFOs and registers: tdata + tkeep + tlast + NetFPGA tuser.
uint32_t axis_beat_bits(const AcceleratorConfig& cfg);

constexpr uint64_t kBram36Bits = 36 * 1024;
constexpr uint32_t kAxisTuserBits = 128;          // NetFPGA-SUME AXI-Stream metadata sideband
constexpr uint64_t kFpAdderLut = 226;             // Floating-Point Operator v7.1, full DSP usage
constexpr uint64_t kFpAdderFf = 177;
constexpr uint64_t kFpAdderDsp = 2;
constexpr uint64_t kParserLutPer64Bits = 75;      // per port, per 64 data bits (prototype parser)
constexpr uint64_t kParserFsmFf = 48;             // per port: state, counters, flags
constexpr uint64_t kFifoControlLut = 24;          // per FIFO (prototype result_fifo report)
constexpr uint64_t kFifoControlFf = 60;
constexpr uint64_t kSramControlLut = 100;         // per bank: address generation, RMW sequencing
constexpr uint64_t kSramControlFf = 100;
constexpr uint64_t kArbiterLut = 20;              // per output
constexpr uint64_t kArbiterFf = 10;
constexpr uint64_t kLutramMaxBits = 4096;         // smaller memories go to distributed RAM (RAM64M:
                                                  // 64 deep x 3 bits simple dual port per 4 LUTs)

// Tolerance of the prototype calibration (estimate + shell vs. reported), per resource.
constexpr double kPrototypeTolerance = 0.15;

}  // namespace area
}  // namespace panama
