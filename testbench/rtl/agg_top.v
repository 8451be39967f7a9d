// agg_top: the co-simulation top of the aggregation datapath (`panama cosim`, docs/cosim.md).
//
// A thin wrapper that fixes the parameters of slot_accumulator (which instantiates agg_lanes and
// LANES x fp32_add) to the widths the SystemC transactor (testbench/cosim/transactor.h) drives:
//   LANES = 4 elements per beat, SLOTS = 128 slots (SLOT_W = 7), CHILDREN = 8 (CHILD_W = 3,
//   COUNT_W = 4).
// Any RTL with this module interface can replace it (`panama cosim --rtl-top NAME`, see
// cmake/Verilator.cmake, panama_cosim_rtl()). Pin meanings: testbench/rtl/README.md, slot_accumulator.
// `define BROKEN_TRUNCATE (verilator -DBROKEN_TRUNCATE) builds the truncating variant that the
// co-simulation scoreboard must catch.
`default_nettype none

module agg_top (
    input  wire         clk,
    input  wire         rst,
    input  wire         arm_valid,
    output wire         arm_ready,
    input  wire [  6:0] arm_slot,
    input  wire [  7:0] arm_children,
    input  wire         in_valid,
    output wire         in_ready,
    input  wire [  6:0] in_slot,
    input  wire [  2:0] in_child,
    input  wire [127:0] in_data,
    output wire         cpl_valid,
    input  wire         cpl_ready,
    output wire [  6:0] cpl_slot,
    output wire [  3:0] cpl_count,
    output wire [127:0] cpl_data,
    output wire         drop_valid,
    output wire [  1:0] drop_reason,
    output wire [  6:0] drop_slot,
    output wire [  2:0] drop_child
);

  slot_accumulator #(
      .LANES   (4),
      .SLOTS   (128),
      .CHILDREN(8)
  ) acc (
      .clk         (clk),
      .rst         (rst),
      .arm_valid   (arm_valid),
      .arm_ready   (arm_ready),
      .arm_slot    (arm_slot),
      .arm_children(arm_children),
      .in_valid    (in_valid),
      .in_ready    (in_ready),
      .in_slot     (in_slot),
      .in_child    (in_child),
      .in_data     (in_data),
      .cpl_valid   (cpl_valid),
      .cpl_ready   (cpl_ready),
      .cpl_slot    (cpl_slot),
      .cpl_count   (cpl_count),
      .cpl_data    (cpl_data),
      .drop_valid  (drop_valid),
      .drop_reason (drop_reason),
      .drop_slot   (drop_slot),
      .drop_child  (drop_child)
  );

endmodule

`default_nettype wire
