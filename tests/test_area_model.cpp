// Area model: ASIC mm^2 per block and FPGA resources, checked against hand-derived numbers from the
// published constants (docs/area-model.md) and against the NetFPGA-SUME prototype's placed utilisation.
#define BOOST_TEST_MODULE area_model
#include <boost/test/unit_test.hpp>

#include "accelerator/area_model.h"

#include <cmath>

using namespace panama;


namespace {

// Within `tol` relative error, with a message naming the quantity.
void check_close(double got, double want, double tol, const char* what) {
  BOOST_TEST(std::fabs(got - want) <= tol * std::fabs(want),
             what << ": got " << got << ", expected " << want << " within " << tol * 100 << " %");
}

AcceleratorConfig default_100g() { return AcceleratorConfig{}; }  // 512-bit, 250 MHz, 16 lanes, 1 MiB

}  // namespace

BOOST_AUTO_TEST_SUITE(area_model)

BOOST_AUTO_TEST_CASE(node_tables_return_published_values_at_table_nodes) {
  // Table entries come back unchanged (up to log/exp rounding).
  check_close(area::sram_bitcell_um2(16.0), 0.074, 1e-9, "TSMC 16FF+ HD bit cell");
  check_close(area::sram_bitcell_um2(45.0), 0.346, 1e-9, "Intel 45 nm bit cell");
  check_close(area::sram_bitcell_um2(7.0), 0.027, 1e-9, "TSMC N7 HD bit cell");
  check_close(area::logic_density_mtr_per_mm2(16.0), 28.88, 1e-9, "TSMC 16FF+ logic density");
  check_close(area::logic_density_mtr_per_mm2(7.0), 91.2, 1e-9, "TSMC N7 logic density");
  // 12 nm lies on the power law through 16 nm (0.074) and 10 nm (0.040):
  // t = ln(12/16)/ln(10/16) = 0.6121; 0.074 * (0.040/0.074)^0.6121 = 0.0508 um^2.
  check_close(area::sram_bitcell_um2(12.0), 0.0508, 0.01, "12 nm bit cell (interpolated)");
  // A NAND2 equivalent at 16 nm: 4 transistors / 28.88 per um^2 = 0.1385 um^2.
  check_close(area::gate_equivalent_um2(16.0), 4.0 / 28.88, 1e-9, "16 nm gate equivalent");
}

BOOST_AUTO_TEST_CASE(sram_area_follows_bitcell_density) {
  AcceleratorConfig cfg = default_100g();
  cfg.process_nm = 16.0;
  // 1024 KiB * 8192 = 8,388,608 bits * 0.074 um^2 = 0.6208 mm^2 of bit cells; / 0.70 array efficiency
  // = 0.8868 mm^2 single-port; * 1.5 for the 1R1W macro = 1.3302 mm^2.
  check_close(estimate_asic_area(cfg).sram_mm2, 1.3302, 1e-3, "1 MiB 1R1W SRAM at 16 nm");
  cfg.sram_ports = 1;
  check_close(estimate_asic_area(cfg).sram_mm2, 0.8868, 1e-3, "1 MiB single-port SRAM at 16 nm");
}

BOOST_AUTO_TEST_CASE(doubling_sram_capacity_doubles_sram_area) {
  AcceleratorConfig cfg = default_100g();
  const double one = estimate_asic_area(cfg).sram_mm2;
  cfg.sram_kib *= 2;
  const double two = estimate_asic_area(cfg).sram_mm2;
  // Area is bits / density: the ratio is 2 (the model has no fixed per-macro periphery term).
  check_close(two / one, 2.0, 0.05, "SRAM area ratio for 2x capacity");
  // FPGA: 1 MiB at 512 bits = 16384 deep -> 228 tiles (see bram tests); 2 MiB -> 456.
  BOOST_TEST(estimate_fpga_breakdown(cfg).sram.bram36 == 456u);
}

BOOST_AUTO_TEST_CASE(fp_adder_area_matches_horowitz_scaled_and_doubles_with_lanes) {
  AcceleratorConfig cfg = default_100g();
  cfg.process_nm = 16.0;
  // One adder: 4184 um^2 at 45 nm * (3.3 / 28.88) density ratio = 478.1 um^2 of cells; / 0.70
  // utilisation = 683.0 um^2 placed. 16 lanes x (2 - 1) adders = 16 adders -> 10,928 um^2.
  check_close(area::fp32_adder_um2(16.0), 478.1, 1e-3, "FP32 adder cells at 16 nm");
  const double sixteen = estimate_asic_area(cfg).fp_adders_mm2;
  check_close(sixteen, 0.010928, 1e-3, "16 FP32 adders at 16 nm");
  cfg.lanes = 32;
  check_close(estimate_asic_area(cfg).fp_adders_mm2 / sixteen, 2.0, 1e-9, "adder area ratio for 2x lanes");
  // A 4-input tree has 3 adders per lane: 3x the area of fan_in = 2.
  cfg.lanes = 16;
  cfg.fan_in = 4;
  check_close(estimate_asic_area(cfg).fp_adders_mm2 / sixteen, 3.0, 1e-9, "adder area ratio for fan_in 4");
}

BOOST_AUTO_TEST_CASE(breakdown_sums_to_total) {
  const AsicArea a = estimate_asic_area(default_100g());
  const double sum = a.sram_mm2 + a.slot_table_mm2 + a.fp_adders_mm2 + a.parser_mm2 + a.fifos_mm2 + a.egress_mux_mm2;
  check_close(a.total_mm2, sum, 1e-12, "ASIC total vs sum of blocks");
  BOOST_TEST(a.process_nm == 16.0);
  for (double block : {a.sram_mm2, a.slot_table_mm2, a.fp_adders_mm2, a.parser_mm2, a.fifos_mm2, a.egress_mux_mm2})
    BOOST_TEST(block > 0.0, "every block has positive area");
}

BOOST_AUTO_TEST_CASE(smaller_node_gives_smaller_area) {
  AcceleratorConfig cfg = default_100g();
  cfg.process_nm = 28.0;
  const double at28 = estimate_asic_area(cfg).total_mm2;
  cfg.process_nm = 16.0;
  const double at16 = estimate_asic_area(cfg).total_mm2;
  cfg.process_nm = 7.0;
  const double at7 = estimate_asic_area(cfg).total_mm2;
  BOOST_TEST(at7 < at16);
  BOOST_TEST(at16 < at28);
  // SRAM-dominated, so 16 -> 7 nm shrinks roughly as the bit cell: 0.027 / 0.074 = 0.36.
  check_close(at7 / at16, 0.027 / 0.074, 0.10, "7 nm / 16 nm area ratio");
}

BOOST_AUTO_TEST_CASE(hundred_gbps_design_has_plausible_asic_area) {
  // 512-bit datapath at 250 MHz (128 Gbps), 16 FP32 lanes, 1 MiB SRAM, 4 ports, 16 nm.
  const AsicArea a = estimate_asic_area(default_100g());
  // Lower bound: the bare bit cells of 1 MiB at 16 nm, 8,388,608 x 0.074 um^2 = 0.62 mm^2; no layout
  // can be smaller. Upper bound: bit cells at a pessimistic 50 % array efficiency, doubled for a second
  // port (2.48 mm^2), plus 0.5 mm^2 of logic (1M gate equivalents at 16 nm take 0.2 mm^2 placed; the
  // model counts about 0.2M) -- i.e. 3.0 mm^2.
  BOOST_TEST(a.total_mm2 > 0.62, "total " << a.total_mm2 << " mm^2 below the bare bit-cell area");
  BOOST_TEST(a.total_mm2 < 3.0, "total " << a.total_mm2 << " mm^2 above the pessimistic bound");
  // On-chip memory is the cost of in-network aggregation: the SRAM dominates.
  BOOST_TEST(a.sram_mm2 / a.total_mm2 > 0.7, "SRAM share " << a.sram_mm2 / a.total_mm2);
}

BOOST_AUTO_TEST_CASE(bram36_tiles_respect_width_and_depth_limits) {
  // 512 bits wide, 64 deep, 1R1W: even shallow, 512 / 72 = 7.1 -> 8 tiles side by side.
  BOOST_TEST(area::bram36_tiles(512, 64, true) == 8u);
  // 512 x 16384 (1 MiB): best shape 9 x 4096 -> ceil(512/9) = 57 columns x 4 rows = 228
  // (= ceil(8 Mib / 36 Kib) = ceil(227.6)).
  BOOST_TEST(area::bram36_tiles(512, 16384, true) == 228u);
  // One bit too wide for a 72 x 512 tile needs a second tile.
  BOOST_TEST(area::bram36_tiles(72, 512, true) == 1u);
  BOOST_TEST(area::bram36_tiles(73, 512, true) == 2u);
  // Without simple dual port the widest shape is 36 x 1024: 72 bits need two tiles.
  BOOST_TEST(area::bram36_tiles(72, 512, false) == 2u);
  // The prototype's input FIFO: 64 data + 8 keep + 1 last + 128 tuser = 201 bits x 256 -> 3 tiles.
  BOOST_TEST(area::bram36_tiles(201, 256, true) == 3u);
  BOOST_TEST(area::axis_beat_bits(netfpga_sume_prototype_config()) == 201u);
}

BOOST_AUTO_TEST_CASE(fpga_adders_use_two_dsp_each) {
  AcceleratorConfig cfg = default_100g();
  // 16 lanes x 1 adder x 2 DSP48 (PG060 full-DSP adder) = 32 DSP; LUT/FF scale the same way.
  const FpgaBreakdown b = estimate_fpga_breakdown(cfg);
  BOOST_TEST(b.fp_adders.dsp == 32u);
  BOOST_TEST(b.fp_adders.lut == 16u * area::kFpAdderLut);
  BOOST_TEST(b.fp_adders.ff == 16u * area::kFpAdderFf);
  cfg.lanes = 32;
  BOOST_TEST(estimate_fpga_breakdown(cfg).fp_adders.dsp == 64u);
  // The whole accelerator's DSPs are the adders' DSPs.
  BOOST_TEST(estimate_fpga_resources(cfg).dsp == 64u);
}

BOOST_AUTO_TEST_CASE(prototype_accelerator_estimate) {
  const AcceleratorConfig proto = netfpga_sume_prototype_config();
  BOOST_CHECK_NO_THROW(proto.validate());
  const FpgaBreakdown b = estimate_fpga_breakdown(proto);
  // 2 lanes x (4 - 1) = 6 adders x 2 DSP = 12 DSP48E1, as reported.
  BOOST_TEST(b.fp_adders.dsp == 12u);
  // 4 KiB at 64 bits = 512 deep -> one 72 x 512 tile.
  BOOST_TEST(b.sram.bram36 == 1u);
  // Four 201 x 256 input FIFOs -> 4 x 3 tiles.
  BOOST_TEST(b.fifos.bram36 == 12u);
  // Parser: 4 ports x 75 LUT (the prototype parser's 290 LUT for 4 ports at 64 bits).
  BOOST_TEST(b.parser.lut == 300u);
}

BOOST_AUTO_TEST_CASE(prototype_calibration_within_tolerance) {
  // Accelerator estimate + NetFPGA shell vs. the final prototype build: 37,008 LUT, 54,119 FF,
  // 150 BRAM36, 12 DSP48E1 (reference.md). The shell is a separate measured build, not fitted.
  const FpgaResources est = estimate_fpga_resources(netfpga_sume_prototype_config()) + netfpga_sume_shell();
  const FpgaResources rep = netfpga_sume_prototype_reported();
  BOOST_TEST(rep.lut == 37008u);
  BOOST_TEST(rep.ff == 54119u);
  BOOST_TEST(rep.bram36 == 150u);
  BOOST_TEST(rep.dsp == 12u);
  const double tol = area::kPrototypeTolerance;
  check_close(double(est.lut), double(rep.lut), tol, "prototype LUT");
  check_close(double(est.ff), double(rep.ff), tol, "prototype FF");
  check_close(double(est.bram36), double(rep.bram36), tol, "prototype BRAM36");
  BOOST_TEST(est.dsp == 12u, "DSP must be exact: 6 adders x 2 DSP48E1");
}

BOOST_AUTO_TEST_CASE(shell_is_bounded_by_measured_netfpga_designs) {
  const FpgaResources shell = netfpga_sume_shell();
  // At least the three big infrastructure IPs of the same shell, per their synthesis reports:
  // RIFFA DMA 11,721 LUT / 16,848 FF / 49 BRAM; PCIe Gen3 4,355 / 4,997 / 9; MicroBlaze 1,260 / 1,558 / 0.
  BOOST_TEST(shell.lut >= 11721u + 4355u + 1260u);
  BOOST_TEST(shell.ff >= 16848u + 4997u + 1558u);
  BOOST_TEST(shell.bram36 >= 49u + 9u);
  // At most the full NetFPGA-SUME reference switch (43,218 LUT / 64,886 FF / 204.5 BRAM), which adds
  // the output-port lookup and BRAM output queues that the "lite" base of the prototype drops.
  BOOST_TEST(shell.lut <= 43218u);
  BOOST_TEST(shell.ff <= 64886u);
  BOOST_TEST(shell.bram36 <= 205u);
  BOOST_TEST(shell.dsp == 0u, "the shell has no arithmetic");
}

BOOST_AUTO_TEST_CASE(small_memories_map_to_lutram) {
  // The prototype holds 2 slots (4096 B / 1448 B) of 56 + 4 + 3 + 2 = 65 bits: 130 bits go to
  // distributed RAM: ceil(2/64) x ceil(65/3) x 4 = 88 LUT, no BRAM; plus 19 + 6 LUT of comparators.
  const AcceleratorConfig proto = netfpga_sume_prototype_config();
  BOOST_TEST(area::slot_entry_bits(proto) == 65u);
  const FpgaBreakdown b = estimate_fpga_breakdown(proto);
  BOOST_TEST(b.slot_table.bram36 == 0u);
  BOOST_TEST(b.slot_table.lut == 88u + 19u + 6u);
  // The 100G design: 1 MiB / 1472-byte slots = 712 entries x 65 bits = 46,280 bits -> BRAM,
  // 65 <= 72 wide, 712 deep -> best 36 x 1024 twice or 72 x 512 twice = 2 tiles.
  BOOST_TEST(estimate_fpga_breakdown(default_100g()).slot_table.bram36 == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
