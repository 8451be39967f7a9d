// Integer-only reference of the binary32 / bf16 / fp16 addition contract (see softfloat_ref.h).
//
// fp32_add follows the textbook guard/round/sticky construction: both significands carry three
// extra low bits (guard, round, sticky). Aligning the smaller operand ORs every bit shifted out
// into the sticky bit; three extra bits are enough for a correctly rounded sum or difference
// because a difference needs at most one left shift after an alignment of two or more places, and
// an alignment of zero or one place loses no bit at all.
#include "support/softfloat_ref.h"

#include <algorithm>
#include <utility>

namespace panama::ref {
namespace {

constexpr uint32_t fp32_sign_bit = 0x80000000u;
constexpr uint32_t fp32_exp_mask = 0x7F800000u;
constexpr uint32_t fp32_man_mask = 0x007FFFFFu;
constexpr uint32_t fp32_hidden_bit = 0x00800000u;
constexpr int fp32_exp_max = 255;
constexpr int extra_bits = 3;  // guard, round, sticky

bool fp32_is_nan(uint32_t f) { return (f & fp32_exp_mask) == fp32_exp_mask && (f & fp32_man_mask) != 0; }
bool fp32_is_inf(uint32_t f) { return (f & ~fp32_sign_bit) == fp32_exp_mask; }

// Right shift that ORs every bit shifted out into bit 0 (the sticky bit).
uint32_t shift_right_sticky(uint32_t value, int shift) {
  if (shift == 0) return value;
  if (shift >= 32) return value != 0 ? 1u : 0u;
  const uint32_t lost = value & ((1u << shift) - 1u);
  return (value >> shift) | (lost != 0 ? 1u : 0u);
}

}  // namespace

uint32_t fp32_add(uint32_t a, uint32_t b) {
  if (fp32_is_nan(a) || fp32_is_nan(b)) return fp32_canonical_nan;
  if (fp32_is_inf(a) && fp32_is_inf(b)) return a == b ? a : fp32_canonical_nan;  // +inf + -inf
  if (fp32_is_inf(a)) return a;
  if (fp32_is_inf(b)) return b;

  // Order by magnitude so that |big| >= |small|; the result takes the sign of the bigger one.
  uint32_t big = a, small = b;
  if ((small & ~fp32_sign_bit) > (big & ~fp32_sign_bit)) {
    big = b;
    small = a;
  }
  const uint32_t sign = big & fp32_sign_bit;
  const bool subtract = ((a ^ b) & fp32_sign_bit) != 0;

  // A subnormal has exponent field 0, no hidden bit, and the weight of exponent field 1.
  const int big_field = static_cast<int>((big & fp32_exp_mask) >> 23);
  const int small_field = static_cast<int>((small & fp32_exp_mask) >> 23);
  int exponent = big_field == 0 ? 1 : big_field;
  const int small_exponent = small_field == 0 ? 1 : small_field;
  const uint32_t big_sig = ((big & fp32_man_mask) | (big_field != 0 ? fp32_hidden_bit : 0u)) << extra_bits;
  uint32_t small_sig = ((small & fp32_man_mask) | (small_field != 0 ? fp32_hidden_bit : 0u)) << extra_bits;
  small_sig = shift_right_sticky(small_sig, exponent - small_exponent);

  // Significands are 27 bits: hidden bit at 26, guard/round/sticky at 2..0.
  constexpr uint32_t normal_top = 1u << (23 + extra_bits);
  uint32_t sig;
  if (subtract) {
    sig = big_sig - small_sig;  // never negative: |big| >= |small|
    if (sig == 0) return 0;     // exact cancellation is +0 under round-to-nearest-even
    // Normalise left, but not below the smallest exponent: the result may be subnormal.
    while (sig < normal_top && exponent > 1) {
      sig <<= 1;
      --exponent;
    }
  } else {
    sig = big_sig + small_sig;
    if (sig >= (normal_top << 1)) {  // carry out: one place right, keeping the sticky bit
      sig = shift_right_sticky(sig, 1);
      ++exponent;
    }
  }

  // Round to nearest, ties to even, on the three extra bits.
  const uint32_t low = sig & 0x7u;
  uint32_t sig24 = sig >> extra_bits;
  if (low > 0x4u || (low == 0x4u && (sig24 & 1u) != 0)) ++sig24;
  if (sig24 == (fp32_hidden_bit << 1)) {  // rounding carried to 2.0
    sig24 >>= 1;
    ++exponent;
  }
  if (exponent >= fp32_exp_max) return sign | fp32_exp_mask;  // overflow to infinity

  // Without the hidden bit the value is subnormal (or zero) and the exponent field is 0; a
  // subnormal that rounded up to the hidden bit encodes as the smallest normal (field 1).
  const uint32_t field = (sig24 & fp32_hidden_bit) != 0 ? static_cast<uint32_t>(exponent) : 0u;
  return sign | (field << 23) | (sig24 & fp32_man_mask);
}

uint32_t bf16_to_fp32(uint16_t h) { return static_cast<uint32_t>(h) << 16; }

uint16_t fp32_to_bf16(uint32_t f) {
  if (fp32_is_nan(f)) return bf16_canonical_nan;
  // Same exponent range as binary32: round the low 16 bits away, ties to even. A carry into the
  // exponent field is the correct next binade, and out of the largest finite one gives infinity.
  const uint32_t lsb = (f >> 16) & 1u;
  return static_cast<uint16_t>((f + 0x7FFFu + lsb) >> 16);
}

uint32_t fp16_to_fp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t field = (h >> 10) & 0x1Fu;
  const uint32_t man = h & 0x3FFu;
  if (field == 0x1F) return sign | fp32_exp_mask | (man << 13);  // inf, NaN with payload kept
  if (field != 0) return sign | ((field - 15u + 127u) << 23) | (man << 13);
  if (man == 0) return sign;
  // Subnormal: man * 2^-24 with its top set bit at position p is 2^(p-24) * 1.xxx.
  int p = 9;
  while ((man & (1u << p)) == 0) --p;
  const uint32_t exponent = static_cast<uint32_t>(p - 24 + 127);
  return sign | (exponent << 23) | ((man << (23 - p)) & fp32_man_mask);
}

uint16_t fp32_to_fp16(uint32_t f) {
  if (fp32_is_nan(f)) return fp16_canonical_nan;
  const auto sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
  constexpr uint32_t fp16_inf = 0x7C00u;
  if (fp32_is_inf(f)) return static_cast<uint16_t>(sign | fp16_inf);
  const int field = static_cast<int>((f & fp32_exp_mask) >> 23);
  // binary32 subnormals are below 2^-126, far below half the smallest fp16 subnormal (2^-25).
  if (field == 0) return sign;
  const int e = field - 127;  // value = sig * 2^(e-23)
  if (e > 15) return static_cast<uint16_t>(sign | fp16_inf);
  const uint32_t sig = (f & fp32_man_mask) | fp32_hidden_bit;

  // Normal fp16 keeps 11 significant bits (drop 13); below 2^-14 the unit is 2^-24 (drop more).
  // The result bits are base + q, where q still holds the hidden bit: a rounding carry into 2.0
  // then moves into the exponent field by itself, and a subnormal rounding up becomes normal.
  int shift;
  uint32_t base;
  if (e >= -14) {
    shift = 13;
    base = static_cast<uint32_t>(e + 14) << 10;
  } else {
    shift = 13 + (-14 - e);
    base = 0;
  }
  if (shift > 24) return sign;  // below half the smallest subnormal: rounds to zero
  uint32_t q = sig >> shift;
  const uint32_t rem = sig & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1u) != 0)) ++q;
  const uint32_t bits = base + q;
  if (bits >= fp16_inf) return static_cast<uint16_t>(sign | fp16_inf);
  return static_cast<uint16_t>(sign | bits);
}

uint16_t bf16_add(uint16_t a, uint16_t b) {
  return fp32_to_bf16(fp32_add(bf16_to_fp32(a), bf16_to_fp32(b)));
}

uint16_t fp16_add(uint16_t a, uint16_t b) {
  return fp32_to_fp16(fp32_add(fp16_to_fp32(a), fp16_to_fp32(b)));
}

// ---------------------------------------------------------------------------------------------
// Test vectors.

const std::vector<fp32_add_corner>& fp32_add_corners() {
  static const std::vector<fp32_add_corner> corners = {
      // 2^-24 is half an ulp of 1.0 (ulp 2^-23): a tie, and 1.0's last bit is even, so it stays.
      {0x3F800000u, 0x33800000u, 0x3F800000u, "1 + 2^-24 = 1 (tie to even)"},
      // Same tie above 1 + 2^-23, whose last bit is odd: rounds up to the even 1 + 2^-22.
      {0x3F800001u, 0x33800000u, 0x3F800002u, "(1 + 2^-23) + 2^-24 = 1 + 2^-22 (tie to even)"},
      // 3 * 2^-25 is 0.75 ulp of 1.0: above the tie, rounds up to 1 + 2^-23.
      {0x3F800000u, 0x33C00000u, 0x3F800001u, "1 + 3*2^-25 rounds up"},
      // 2^-24 * (1 + 2^-23) is a hair above the tie: only the sticky bit says so.
      {0x3F800000u, 0x33800001u, 0x3F800001u, "1 + (2^-24 + 2^-47) rounds up on sticky"},
      // 1 - 2^-25 lies halfway between 1 - 2^-24 (odd) and 1 (even).
      {0x3F800000u, 0xB3000000u, 0x3F800000u, "1 - 2^-25 = 1 (tie to even)"},
      // 1 - 0.75 * 2^-24 is nearer to 1 - 2^-24 = 0x3F7FFFFF.
      {0x3F800000u, 0xB3400000u, 0x3F7FFFFFu, "1 - 3*2^-26 rounds down to 1 - 2^-24"},
      // Exact cancellation down 24 binades: 1 - (1 - 2^-24) = 2^-24.
      {0x3F800000u, 0xBF7FFFFFu, 0x33800000u, "1 - (1 - 2^-24) = 2^-24 exactly"},
      {0x00000001u, 0x00000001u, 0x00000002u, "min subnormal + min subnormal = 2 * min subnormal"},
      {0x007FFFFFu, 0x00000001u, 0x00800000u, "max subnormal + min subnormal = min normal"},
      {0x00800000u, 0x80000001u, 0x007FFFFFu, "min normal - min subnormal = max subnormal"},
      {0x00800000u, 0x80800000u, 0x00000000u, "min normal - min normal = +0"},
      {0x7F7FFFFFu, 0x7F7FFFFFu, 0x7F800000u, "max float + max float = +inf"},
      {0xFF7FFFFFu, 0xFF7FFFFFu, 0xFF800000u, "-max float + -max float = -inf"},
      // The ulp of max float is 2^104; 2^103 is a tie and max float's last bit is odd, so the
      // rounding goes up to 2^128, which overflows to infinity.
      {0x7F7FFFFFu, 0x73000000u, 0x7F800000u, "max float + 2^103 = +inf (tie rounds up, overflows)"},
      {0x7F7FFFFFu, 0x72800000u, 0x7F7FFFFFu, "max float + 2^102 = max float (below the tie)"},
      {0x80000000u, 0x80000000u, 0x80000000u, "-0 + -0 = -0"},
      {0x80000000u, 0x00000000u, 0x00000000u, "-0 + +0 = +0"},
      {0x00000000u, 0x80000000u, 0x00000000u, "+0 + -0 = +0"},
      {0x3F800000u, 0xBF800000u, 0x00000000u, "1 + -1 = +0"},
      {0xBF800000u, 0x3F800000u, 0x00000000u, "-1 + 1 = +0"},
      {0x80000001u, 0x00000001u, 0x00000000u, "-min subnormal + min subnormal = +0"},
      {0x80000001u, 0x00000000u, 0x80000001u, "-min subnormal + +0 keeps the subnormal"},
      {0x7F800000u, 0x3F800000u, 0x7F800000u, "+inf + 1 = +inf"},
      {0xFF800000u, 0x7F7FFFFFu, 0xFF800000u, "-inf + max float = -inf"},
      {0x7F800000u, 0x7F800000u, 0x7F800000u, "+inf + +inf = +inf"},
      {0x7F800000u, 0xFF800000u, fp32_canonical_nan, "+inf + -inf = canonical NaN"},
      {0x7F800001u, 0x3F800000u, fp32_canonical_nan, "signalling NaN + 1 = canonical quiet NaN"},
      {0xFFC12345u, 0x3F800000u, fp32_canonical_nan, "negative NaN with payload + 1 = canonical NaN"},
      {0x3F800000u, 0xFFFFFFFFu, fp32_canonical_nan, "1 + NaN (all ones) = canonical NaN"},
      {0x7FC00001u, 0xFF800000u, fp32_canonical_nan, "NaN + -inf = canonical NaN"},
  };
  return corners;
}

uint32_t fp32_operand_generator::special() {
  static constexpr uint32_t table[] = {
      0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0x7F800001u, 0xFFC12345u,
      0x7F7FFFFFu, 0xFF7FFFFFu, 0x00000001u, 0x80000001u, 0x007FFFFFu, 0x807FFFFFu, 0x00800000u,
      0x80800000u, 0x3F800000u, 0xBF800000u};
  return table[below(sizeof table / sizeof table[0])];
}

uint32_t fp32_operand_generator::biased() {
  switch (below(6)) {
    case 0: return make(below(2), 0, bits());                // subnormal (or zero)
    case 1: return make(below(2), 1 + below(3), bits());     // smallest normals
    case 2: return make(below(2), 252 + below(3), bits());   // near overflow
    case 3: return make(below(2), 100 + below(56), bits());  // ordinary
    case 4: return special();
    default: return bits();                                  // anything, NaN included
  }
}

uint32_t fp32_operand_generator::edge_mantissa() {
  switch (below(4)) {
    case 0: return 0;
    case 1: return 0x7FFFFFu;
    case 2: return 1u << below(23);
    default: return bits();
  }
}

void fp32_operand_generator::pair(uint32_t& a, uint32_t& b) {
  a = biased();
  const int a_field = static_cast<int>((a >> 23) & 0xFFu);
  const auto clamp_field = [](int field) { return static_cast<uint32_t>(std::max(0, std::min(254, field))); };
  switch (below(8)) {
    case 0:  // independent operands
      b = biased();
      break;
    case 1:  // close exponents: carries and one-place normalisation
      b = make(below(2), clamp_field(a_field + static_cast<int>(below(7)) - 3), bits());
      break;
    case 2: {  // cancellation: b = -a plus or minus a few units in the last place
      const uint32_t delta = below(5);
      b = (a ^ 0x80000000u) + (below(2) != 0 ? delta : 0u - delta);
      break;
    }
    case 3:  // ties and sticky: b is 22..27 places below a, both with tie-shaped mantissas
      b = make(below(2), clamp_field(a_field - 22 - static_cast<int>(below(6))), edge_mantissa());
      a = make(a >> 31, static_cast<uint32_t>(a_field), edge_mantissa());
      break;
    case 4:  // any alignment distance 0..40
      b = make(below(2), clamp_field(a_field - static_cast<int>(below(41))), bits());
      break;
    case 5:  // both subnormal
      a = make(below(2), 0, bits());
      b = make(below(2), 0, bits());
      break;
    case 6:  // both near overflow, usually the same sign
      a = make(0, 253 + below(2), bits());
      b = make(below(4) == 0 ? 1u : 0u, 250 + below(5), bits());
      if (below(2) != 0) {
        a ^= 0x80000000u;
        b ^= 0x80000000u;
      }
      break;
    default:  // one special operand
      b = special();
      break;
  }
  if (below(2) != 0) std::swap(a, b);
}

}  // namespace panama::ref
