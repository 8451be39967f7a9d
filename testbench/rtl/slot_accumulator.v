// slot_accumulator: the PANAMA aggregation slots. Each slot sums the gradient vectors of a set of
// children (the workers or switches below this one in the aggregation tree) and emits the total
// once every expected child has contributed.
//
// A slot is armed with the bitmap of children it expects. A contribution carries (slot, child,
// LANES binary32 elements) and is
//   - dropped as NOT_ARMED     if the slot is not armed (never armed, or already completed),
//   - dropped as NOT_EXPECTED  if the child is not in the slot's expected bitmap,
//   - dropped as DUPLICATE     if the child already contributed (its bit is in the arrived bitmap),
//   - otherwise accepted: its bit joins the arrived bitmap and the contribution count goes up.
//     The slot's first contribution is stored as is (it is not added to zero, so -0 stays -0);
//     every later one is added lane by lane to the stored partial sum (fp32_add contract).
// The contribution that makes the arrived bitmap equal the expected bitmap completes the slot: the
// slot is disarmed at once (later contributions are NOT_ARMED drops) and the final sum leaves on
// the complete stream with the slot number and the count of contributions. Re-arming a slot
// discards whatever it held.
//
// Timing: a contribution spends LATENCY = 4 cycles in the adder lanes (agg_lanes / fp32_add);
// its sum is written back when it leaves them. While a slot has a contribution in flight it is
// busy: a further contribution to it (or an arm of it) waits, so every addition reads the sum
// written by the previous one. Contributions to other slots flow back to back, one per cycle.
// A completing contribution leaves the lanes only when the complete stream takes it, so a stalled
// complete stream holds the lanes (and with them new contributions).
//
// Parameters:
//   LANES     elements per contribution (one beat of agg_lanes)
//   SLOTS     number of slots; a power of two, >= 2
//   CHILDREN  width of the children bitmaps, >= 2
//   SLOT_W, CHILD_W, COUNT_W are derived from those: do not override them.
//
// Pins (all synchronous to the rising edge of clk; a stream transfers on an edge where its valid
// and ready are both 1; no valid depends on a ready):
//   clk           in   1          clock
//   rst           in   1          synchronous reset, active high: disarms every slot, empties lanes
//   -- arm stream: start an aggregation in a slot --
//   arm_valid     in   1          an arm request is offered (it has priority over contributions)
//   arm_ready     out  1          1 unless arm_slot has a contribution in flight
//   arm_slot      in   SLOT_W     slot to arm
//   arm_children  in   CHILDREN   bitmap of the children expected in this aggregation (bit c =
//                                 child c); an all-zero bitmap arms a slot that never completes
//   -- contribution stream: one child's elements for one slot --
//   in_valid      in   1          a contribution is offered on in_slot / in_child / in_data
//   in_ready      out  1          the contribution is taken (accepted or dropped) on this edge if
//                                 in_valid is 1; 0 while arm_valid is 1, and 0 while an accepted
//                                 contribution would have to wait for a busy slot or full lanes
//                                 (drops never wait); depends on arm_valid, in_slot and in_child
//   in_slot       in   SLOT_W     slot the contribution belongs to
//   in_child      in   CHILD_W    child that sent it (a value >= CHILDREN is NOT_EXPECTED)
//   in_data       in   32*LANES   elements, lane i at bits [32*i +: 32], binary32
//   -- complete stream: a finished aggregation --
//   cpl_valid     out  1          a slot completed: its final sum is on cpl_data
//   cpl_ready     in   1          the consumer takes it on this edge if cpl_valid is 1
//   cpl_slot      out  SLOT_W     the slot that completed
//   cpl_count     out  COUNT_W    number of contributions summed (popcount of the expected bitmap)
//   cpl_data      out  32*LANES   the final sum, lane i at bits [32*i +: 32]
//   -- drop notifications: one-cycle pulses, no back-pressure --
//   drop_valid    out  1          the contribution taken on the previous edge was dropped
//   drop_reason   out  2          1 NOT_ARMED, 2 NOT_EXPECTED, 3 DUPLICATE
//   drop_slot     out  SLOT_W     its slot
//   drop_child    out  CHILD_W    its child
`default_nettype none

module slot_accumulator #(
    parameter integer LANES    = 4,
    parameter integer SLOTS    = 8,
    parameter integer CHILDREN = 8,
    parameter integer SLOT_W   = $clog2(SLOTS),
    parameter integer CHILD_W  = $clog2(CHILDREN),
    parameter integer COUNT_W  = $clog2(CHILDREN + 1)
) (
    input  wire                clk,
    input  wire                rst,
    // arm stream
    input  wire                arm_valid,
    output wire                arm_ready,
    input  wire [  SLOT_W-1:0] arm_slot,
    input  wire [CHILDREN-1:0] arm_children,
    // contribution stream
    input  wire                in_valid,
    output wire                in_ready,
    input  wire [  SLOT_W-1:0] in_slot,
    input  wire [ CHILD_W-1:0] in_child,
    input  wire [LANES*32-1:0] in_data,
    // complete stream
    output wire                cpl_valid,
    input  wire                cpl_ready,
    output wire [  SLOT_W-1:0] cpl_slot,
    output wire [ COUNT_W-1:0] cpl_count,
    output wire [LANES*32-1:0] cpl_data,
    // drop notifications
    output reg                 drop_valid,
    output reg  [         1:0] drop_reason,
    output reg  [  SLOT_W-1:0] drop_slot,
    output reg  [ CHILD_W-1:0] drop_child
);

  localparam [1:0] DROP_NONE = 2'd0;
  localparam [1:0] DROP_NOT_ARMED = 2'd1;
  localparam [1:0] DROP_NOT_EXPECTED = 2'd2;
  localparam [1:0] DROP_DUPLICATE = 2'd3;
  localparam integer TAG_W = SLOT_W + 1 + COUNT_W;  // {slot, completes, count}

  // Slot state. armed and busy are reset; the rest is meaningful only while the slot is armed.
  reg [   SLOTS-1:0] armed;
  reg [   SLOTS-1:0] busy;  // a contribution to the slot is in the adder lanes
  reg [CHILDREN-1:0] expected[0:SLOTS-1];
  reg [CHILDREN-1:0] arrived [0:SLOTS-1];
  reg [ COUNT_W-1:0] count   [0:SLOTS-1];
  reg [LANES*32-1:0] partial [0:SLOTS-1];

  // ------------------------------------------------------------------------------------------
  // Contribution decode, from the slot's current state.
  // ------------------------------------------------------------------------------------------
  wire [CHILDREN-1:0] child_bit = {{(CHILDREN - 1) {1'b0}}, 1'b1} << in_child;
  wire [CHILDREN-1:0] slot_expected = expected[in_slot];
  wire [CHILDREN-1:0] slot_arrived = arrived[in_slot];
  wire [CHILDREN-1:0] now_arrived = slot_arrived | child_bit;
  wire [1:0] in_drop_reason = !armed[in_slot]                  ? DROP_NOT_ARMED
                            : ~|(slot_expected & child_bit)     ? DROP_NOT_EXPECTED
                            : |(slot_arrived & child_bit)       ? DROP_DUPLICATE
                            : DROP_NONE;
  wire in_drop = in_drop_reason != DROP_NONE;
  wire in_first = ~|slot_arrived;
  wire in_completes = now_arrived == slot_expected;
  wire [COUNT_W-1:0] in_count = count[in_slot] + {{(COUNT_W - 1) {1'b0}}, 1'b1};

  wire lanes_in_ready;
  assign in_ready = ~arm_valid & (in_drop | (lanes_in_ready & ~busy[in_slot]));
  wire in_fire = in_valid & in_ready;
  wire issue = in_fire & ~in_drop;

  assign arm_ready = ~busy[arm_slot];
  wire arm_fire = arm_valid & arm_ready;

  // ------------------------------------------------------------------------------------------
  // Adder lanes: partial + contribution, or the contribution itself when it is the first.
  // ------------------------------------------------------------------------------------------
  wire               lanes_out_valid;
  wire               lanes_out_ready;
  wire [LANES*32-1:0] lanes_sum;
  wire [  SLOT_W-1:0] out_slot;
  wire               out_completes;
  wire [ COUNT_W-1:0] out_count;

  agg_lanes #(
      .LANES(LANES),
      .TAG_W(TAG_W)
  ) lanes (
      .clk      (clk),
      .rst      (rst),
      .in_valid (issue),
      .in_ready (lanes_in_ready),
      .in_pass_b(in_first),
      .in_a     (partial[in_slot]),
      .in_b     (in_data),
      .in_tag   ({in_slot, in_completes, in_count}),
      .out_valid(lanes_out_valid),
      .out_ready(lanes_out_ready),
      .out_sum  (lanes_sum),
      .out_tag  ({out_slot, out_completes, out_count})
  );

  // A partial sum leaves at once (written back); a final one waits for the complete stream.
  assign lanes_out_ready = ~out_completes | cpl_ready;
  wire writeback = lanes_out_valid & lanes_out_ready;

  assign cpl_valid = lanes_out_valid & out_completes;
  assign cpl_slot = out_slot;
  assign cpl_count = out_count;
  assign cpl_data = lanes_sum;

  // ------------------------------------------------------------------------------------------
  // State updates. An arm and an accepted contribution never share a cycle (in_ready needs
  // !arm_valid), and a slot is never issued and written back in the same cycle (it is busy).
  // ------------------------------------------------------------------------------------------
  always @(posedge clk) begin
    if (rst) begin
      armed      <= {SLOTS{1'b0}};
      busy       <= {SLOTS{1'b0}};
      drop_valid <= 1'b0;
    end else begin
      drop_valid <= in_fire & in_drop;
      if (writeback) busy[out_slot] <= 1'b0;
      if (issue) busy[in_slot] <= 1'b1;
      if (arm_fire) armed[arm_slot] <= 1'b1;
      else if (issue & in_completes) armed[in_slot] <= 1'b0;
    end
  end

  always @(posedge clk) begin
    if (arm_fire) begin
      expected[arm_slot] <= arm_children;
      arrived[arm_slot]  <= {CHILDREN{1'b0}};
      count[arm_slot]    <= {COUNT_W{1'b0}};
    end else if (issue) begin
      arrived[in_slot] <= now_arrived;
      count[in_slot]   <= in_count;
    end
    if (writeback) partial[out_slot] <= lanes_sum;
    drop_reason <= in_drop_reason;
    drop_slot   <= in_slot;
    drop_child  <= in_child;
  end

endmodule

`default_nettype wire
