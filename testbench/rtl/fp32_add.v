// fp32_add: pipelined IEEE-754 binary32 adder, the PANAMA aggregation datapath's arithmetic unit.
//
// Arithmetic contract (the same as the SystemC model and tests/support/softfloat_ref.h):
//   - round to nearest, ties to even; subnormal inputs and outputs kept (no flush-to-zero);
//   - signed zeros as IEEE-754 says: x + (-x) = +0, (-0) + (-0) = -0;
//   - any NaN result (a NaN operand, or +inf + -inf) is the canonical quiet NaN 32'h7FC00000;
//   - overflow gives a correctly signed infinity.
//   `define BROKEN_TRUNCATE replaces round-to-nearest-even by truncation (round toward zero). It
//   exists only to prove that the co-simulation scoreboard catches a wrong rounding mode.
//
// Pipeline depth: 4 register stages, fully pipelined (one new operation per enabled cycle).
//   stage 1  unpack, classify specials, order operands by magnitude, exponent difference
//   stage 2  align the smaller significand (guard, round, sticky) and add or subtract
//   stage 3  normalise: one place right on a carry, or left by the leading-zero count, but never
//            below exponent 1 (that is what keeps subnormal results)
//   stage 4  round to nearest even, handle the rounding carry and overflow, pack, select specials
// An operand pair sampled with in_valid on a rising clock edge where ce = 1 appears on result with
// out_valid = 1 right after the 4th enabled edge, counting the sampling edge as the first (edges
// with ce = 0 do not count). With ce = 1 throughout that is 4 cycles: in at edge n, out after n+3.
//
// Pins (all synchronous to the rising edge of clk):
//   clk        in   1   clock
//   rst        in   1   synchronous reset, active high; clears the valid pipeline (not the data)
//   ce         in   1   clock enable: 1 advances the whole pipeline one stage, 0 holds every stage
//                       (the lane wrapper uses it for back-pressure)
//   in_valid   in   1   a and b hold an operand pair to be added
//   a          in   32  first operand, binary32 bit pattern
//   b          in   32  second operand, binary32 bit pattern
//   in_tag     in   TAG_W  user sideband, carried unchanged alongside the operand pair
//   out_valid  out  1   result holds the sum of a pair, 4 enabled edges after it was sampled
//   result     out  32  a + b, binary32 bit pattern (registered output)
//   out_tag    out  TAG_W  the in_tag that entered with that pair
// Parameter TAG_W (default 1): width of the sideband. The tag lets a user (the lane wrapper, the
// slot accumulator) keep metadata in step with the adder without knowing its depth.
`default_nettype none

module fp32_add #(
    parameter integer TAG_W = 1
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             ce,
    input  wire             in_valid,
    input  wire [     31:0] a,
    input  wire [     31:0] b,
    input  wire [TAG_W-1:0] in_tag,
    output wire             out_valid,
    output wire [     31:0] result,
    output wire [TAG_W-1:0] out_tag
);

  localparam [31:0] CANONICAL_NAN = 32'h7FC0_0000;

  // ------------------------------------------------------------------------------------------
  // Stage 1: unpack and order by magnitude so that |larger| >= |smaller|.
  // ------------------------------------------------------------------------------------------
  wire a_exp_ones = &a[30:23];
  wire b_exp_ones = &b[30:23];
  wire a_nan = a_exp_ones & (|a[22:0]);
  wire b_nan = b_exp_ones & (|b[22:0]);
  wire a_inf = a_exp_ones & ~(|a[22:0]);
  wire b_inf = b_exp_ones & ~(|b[22:0]);
  wire in_subtract = a[31] ^ b[31];
  wire in_nan = a_nan | b_nan | (a_inf & b_inf & in_subtract);
  wire in_inf = (a_inf | b_inf) & ~in_nan;
  wire in_inf_sign = a_inf ? a[31] : b[31];

  wire in_swap = b[30:0] > a[30:0];
  wire [31:0] larger = in_swap ? b : a;
  wire [30:0] smaller = in_swap ? a[30:0] : b[30:0];  // its sign only matters via in_subtract
  // A subnormal has exponent field 0, no hidden bit and the weight of exponent field 1.
  wire larger_normal = |larger[30:23];
  wire smaller_normal = |smaller[30:23];
  wire [7:0] larger_exp = larger_normal ? larger[30:23] : 8'd1;
  wire [7:0] smaller_exp = smaller_normal ? smaller[30:23] : 8'd1;

  reg        s1_valid;
  reg        s1_nan, s1_inf, s1_inf_sign, s1_sign, s1_subtract;
  reg [ 7:0] s1_exp;
  reg [ 7:0] s1_shift;
  reg [23:0] s1_big_sig, s1_small_sig;
  reg [TAG_W-1:0] s1_tag, s2_tag, s3_tag, s4_tag;

  always @(posedge clk) begin
    if (rst) begin
      s1_valid <= 1'b0;
    end else if (ce) begin
      s1_valid <= in_valid;
    end
  end

  always @(posedge clk) begin
    if (ce) begin
      s1_nan       <= in_nan;
      s1_inf       <= in_inf;
      s1_inf_sign  <= in_inf_sign;
      s1_sign      <= larger[31];
      s1_subtract  <= in_subtract;
      s1_exp       <= larger_exp;
      s1_shift     <= larger_exp - smaller_exp;  // 0..253, never negative after the ordering
      s1_big_sig   <= {larger_normal, larger[22:0]};
      s1_small_sig <= {smaller_normal, smaller[22:0]};
      s1_tag       <= in_tag;
    end
  end

  // ------------------------------------------------------------------------------------------
  // Stage 2: align with guard/round/sticky and add. Significands are 27 bits: the hidden bit at
  // 26, guard/round/sticky at 2..0. Every bit shifted out is ORed into the sticky bit; a shift of
  // 27 or more leaves only the sticky bit (Verilog shifts past the width give 0, which the mask
  // expression turns into "all bits lost").
  // ------------------------------------------------------------------------------------------
  wire [26:0] big_ext = {s1_big_sig, 3'b000};
  wire [26:0] small_ext = {s1_small_sig, 3'b000};
  wire [26:0] lost_mask = ~({27{1'b1}} << s1_shift);
  wire        sticky = |(small_ext & lost_mask);
  wire [26:0] aligned = (small_ext >> s1_shift) | {26'd0, sticky};
  wire [27:0] raw_sum = s1_subtract ? ({1'b0, big_ext} - {1'b0, aligned})
                                    : ({1'b0, big_ext} + {1'b0, aligned});

  reg        s2_valid;
  reg        s2_nan, s2_inf, s2_inf_sign, s2_sign;
  reg [ 7:0] s2_exp;
  reg [27:0] s2_sum;

  always @(posedge clk) begin
    if (rst) begin
      s2_valid <= 1'b0;
    end else if (ce) begin
      s2_valid <= s1_valid;
    end
  end

  always @(posedge clk) begin
    if (ce) begin
      s2_nan      <= s1_nan;
      s2_inf      <= s1_inf;
      s2_inf_sign <= s1_inf_sign;
      // Exact cancellation gives +0 under round-to-nearest-even; (-0) + (-0) keeps its sign
      // because that is an addition, not a subtraction.
      s2_sign     <= s1_sign & ~(s1_subtract & (raw_sum == 28'd0));
      s2_exp      <= s1_exp;
      s2_sum      <= raw_sum;
      s2_tag      <= s1_tag;
    end
  end

  // ------------------------------------------------------------------------------------------
  // Stage 3: normalise.
  // ------------------------------------------------------------------------------------------
  function automatic [4:0] leading_zeros27(input [26:0] value);
    integer i;
    begin
      leading_zeros27 = 5'd27;
      // Scan from bit 0 upward: the last set bit found is the most significant one.
      for (i = 0; i <= 26; i = i + 1) begin
        if (value[i]) leading_zeros27 = 5'd26 - i[4:0];
      end
    end
  endfunction

  wire [4:0] lzc = leading_zeros27(s2_sum[26:0]);
  // Shift left by the leading-zero count, but stop at exponent 1: the result is then subnormal.
  wire [7:0] left_limit = s2_exp - 8'd1;
  wire [7:0] left_shift = ({3'd0, lzc} <= left_limit) ? {3'd0, lzc} : left_limit;
  wire [26:0] left_sig = s2_sum[26:0] << left_shift;
  // A carry out shifts one place right, keeping the lost bit as sticky.
  wire [26:0] right_sig = {s2_sum[27:2], s2_sum[1] | s2_sum[0]};
  wire [26:0] norm_sig = s2_sum[27] ? right_sig : left_sig;
  wire [8:0] norm_exp = s2_sum[27] ? ({1'b0, s2_exp} + 9'd1) : ({1'b0, s2_exp} - {1'b0, left_shift});

  reg        s3_valid;
  reg        s3_nan, s3_inf, s3_inf_sign, s3_sign;
  reg [ 8:0] s3_exp;
  reg [26:0] s3_sig;

  always @(posedge clk) begin
    if (rst) begin
      s3_valid <= 1'b0;
    end else if (ce) begin
      s3_valid <= s2_valid;
    end
  end

  always @(posedge clk) begin
    if (ce) begin
      s3_nan      <= s2_nan;
      s3_inf      <= s2_inf;
      s3_inf_sign <= s2_inf_sign;
      s3_sign     <= s2_sign;
      s3_exp      <= norm_exp;
      s3_sig      <= norm_sig;
      s3_tag      <= s2_tag;
    end
  end

  // ------------------------------------------------------------------------------------------
  // Stage 4: round, pack, select specials.
  // ------------------------------------------------------------------------------------------
  wire round_lsb = s3_sig[3];
  wire round_guard = s3_sig[2];
  wire round_sticky = s3_sig[1] | s3_sig[0];
`ifdef BROKEN_TRUNCATE
  wire round_up = 1'b0;
  wire unused_round_bits = &{1'b0, round_lsb, round_guard, round_sticky};
`else
  // Above the tie (guard and anything below it), or at the tie with an odd last bit.
  wire round_up = round_guard & (round_sticky | round_lsb);
`endif
  wire [24:0] rounded = {1'b0, s3_sig[26:3]} + {24'd0, round_up};
  // Rounding up to 2.0 carries into the exponent; the significand is then exactly 1.0.
  wire [8:0] final_exp = rounded[24] ? (s3_exp + 9'd1) : s3_exp;
  wire [23:0] final_sig = rounded[24] ? rounded[24:1] : rounded[23:0];
  wire overflow = final_exp >= 9'd255;
  // Without the hidden bit the value is subnormal (or zero): exponent field 0. A subnormal that
  // rounded up to the hidden bit has exponent 1, which is exactly the smallest normal's field.
  wire [7:0] final_field = final_sig[23] ? final_exp[7:0] : 8'd0;

  reg        s4_valid;
  reg [31:0] s4_result;

  always @(posedge clk) begin
    if (rst) begin
      s4_valid <= 1'b0;
    end else if (ce) begin
      s4_valid <= s3_valid;
    end
  end

  always @(posedge clk) begin
    if (ce) begin
      if (s3_nan) s4_result <= CANONICAL_NAN;
      else if (s3_inf) s4_result <= {s3_inf_sign, 8'hFF, 23'd0};
      else if (overflow) s4_result <= {s3_sign, 8'hFF, 23'd0};
      else s4_result <= {s3_sign, final_field, final_sig[22:0]};
      s4_tag <= s3_tag;
    end
  end

  assign out_valid = s4_valid;
  assign result = s4_result;
  assign out_tag = s4_tag;

endmodule

`default_nettype wire
