// agg_lanes: LANES binary32 adders side by side behind one valid/ready handshake.
//
// One beat carries LANES elements of each operand; lane i adds in_a[32*i +: 32] and
// in_b[32*i +: 32] with its own fp32_add (same contract: RNE, subnormals kept, canonical NaN).
// All lanes run in lockstep, so the beat leaves the wrapper LATENCY = 4 accepted cycles later.
//
// in_pass_b = 1 makes the beat leave with out_sum = in_b unchanged, bit for bit, instead of the
// sum. The slot accumulator uses it for a slot's first contribution, which is stored as is and is
// never added to anything (so a first contribution of -0 stays -0, and a NaN keeps its payload).
// Passing through the adder pipeline keeps such beats in order with the sums around them.
//
// Flow control: the pipeline advances on every cycle where it can hand its output on,
//   advance = !out_valid || out_ready,   in_ready = advance.
// A stalled output holds every stage (bubbles included). in_ready does not depend on in_valid.
//
// Parameters:
//   LANES  elements per beat (>= 1)
//   TAG_W  width of a user sideband carried unchanged alongside the beat (>= 1)
//
// Pins (all synchronous to the rising edge of clk):
//   clk        in   1         clock
//   rst        in   1         synchronous reset, active high: empties the pipeline
//   in_valid   in   1         a beat is offered on in_a / in_b / in_pass_b / in_tag
//   in_ready   out  1         the beat is accepted on this edge if in_valid is also 1
//   in_pass_b  in   1         1: the beat's result is in_b itself, not in_a + in_b
//   in_a       in   32*LANES  first operands, lane i at bits [32*i +: 32], binary32
//   in_b       in   32*LANES  second operands, same layout
//   in_tag     in   TAG_W     user sideband for the beat
//   out_valid  out  1         a result beat is on out_sum / out_tag
//   out_ready  in   1         the consumer takes the result beat on this edge if out_valid is 1
//   out_sum    out  32*LANES  per-lane in_a + in_b (or in_b when the beat had in_pass_b = 1)
//   out_tag    out  TAG_W     the in_tag that entered with the beat
`default_nettype none

module agg_lanes #(
    parameter integer LANES = 4,
    parameter integer TAG_W = 1
) (
    input  wire                clk,
    input  wire                rst,
    input  wire                in_valid,
    output wire                in_ready,
    input  wire                in_pass_b,
    input  wire [LANES*32-1:0] in_a,
    input  wire [LANES*32-1:0] in_b,
    input  wire [   TAG_W-1:0] in_tag,
    output wire                out_valid,
    input  wire                out_ready,
    output wire [LANES*32-1:0] out_sum,
    output wire [   TAG_W-1:0] out_tag
);

  wire advance = ~out_valid | out_ready;
  assign in_ready = advance;

  // Every lane sees the same in_valid and ce, so all lanes' out_valid are equal; AND them.
  wire [LANES-1:0] lane_valid;
  assign out_valid = &lane_valid;

  genvar i;
  generate
    for (i = 0; i < LANES; i = i + 1) begin : lane
      wire [31:0] sum;
      // Each lane carries its own operand b and the pass flag beside the addition: 33 bits.
      wire [32:0] passed;
      if (i == 0) begin : with_user_tag
        fp32_add #(
            .TAG_W(TAG_W + 33)
        ) adder (
            .clk      (clk),
            .rst      (rst),
            .ce       (advance),
            .in_valid (in_valid),
            .a        (in_a[32*i+:32]),
            .b        (in_b[32*i+:32]),
            .in_tag   ({in_tag, in_pass_b, in_b[32*i+:32]}),
            .out_valid(lane_valid[i]),
            .result   (sum),
            .out_tag  ({out_tag, passed})
        );
      end else begin : lane_tag_only
        fp32_add #(
            .TAG_W(33)
        ) adder (
            .clk      (clk),
            .rst      (rst),
            .ce       (advance),
            .in_valid (in_valid),
            .a        (in_a[32*i+:32]),
            .b        (in_b[32*i+:32]),
            .in_tag   ({in_pass_b, in_b[32*i+:32]}),
            .out_valid(lane_valid[i]),
            .result   (sum),
            .out_tag  (passed)
        );
      end
      assign out_sum[32*i+:32] = passed[32] ? passed[31:0] : sum;
    end
  endgenerate

endmodule

`default_nettype wire
