// Integer-only reference of the model's floating-point arithmetic contract.
//
// This is the oracle the accelerator model and the reference RTL are tested against, so it never
// uses host float arithmetic: every function works on bit patterns with integer operations only.
//
// The contract:
// - fp32_add is IEEE-754 binary32 addition, round-to-nearest-even, subnormal inputs and outputs
//   kept (no flush-to-zero), signed zeros as IEEE says: x + (-x) = +0, (-0) + (-0) = -0.
// - Any NaN result (a NaN operand, or +inf + -inf) is the canonical quiet NaN 0x7FC00000.
// - bf16_add / fp16_add widen both operands exactly to binary32, add with fp32_add, and round the
//   binary32 sum to the element format (round-to-nearest-even, overflow to infinity, subnormals
//   kept). A NaN becomes that format's canonical quiet NaN (bf16 0x7FC0, fp16 0x7E00).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace panama::ref {

inline constexpr uint32_t fp32_canonical_nan = 0x7FC00000u;
inline constexpr uint16_t bf16_canonical_nan = 0x7FC0u;
inline constexpr uint16_t fp16_canonical_nan = 0x7E00u;

// binary32 + binary32, round-to-nearest-even, canonical NaN.
uint32_t fp32_add(uint32_t a, uint32_t b);

// Element-format additions: widen exactly, add in binary32, round the sum to the format.
uint16_t bf16_add(uint16_t a, uint16_t b);
uint16_t fp16_add(uint16_t a, uint16_t b);

// Exact widenings (every bf16 / fp16 value is a binary32 value; NaN payloads are kept).
uint32_t fp16_to_fp32(uint16_t h);
uint32_t bf16_to_fp32(uint16_t h);

// Narrowings with round-to-nearest-even; overflow gives infinity, subnormals are kept,
// any NaN gives the format's canonical quiet NaN.
uint16_t fp32_to_fp16(uint32_t f);
uint16_t fp32_to_bf16(uint32_t f);

// ---------------------------------------------------------------------------------------------
// Test vectors for the contract, shared by the reference's own test and the RTL co-simulation.

// A hand-derived binary32 sum: `why` says what it proves and how it was derived.
struct fp32_add_corner {
  uint32_t a;
  uint32_t b;
  uint32_t sum;
  const char* why;
};

// The corner cases every implementation of the contract must reproduce bit for bit.
const std::vector<fp32_add_corner>& fp32_add_corners();

// Reproducible operand pairs biased toward what breaks adders: subnormals, near-overflow,
// cancellation, ties and sticky bits, every alignment distance, infinities and NaNs.
class fp32_operand_generator {
 public:
  explicit fp32_operand_generator(uint64_t seed) : rng_(seed) {}

  uint32_t bits() { return static_cast<uint32_t>(rng_()); }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  static uint32_t make(uint32_t sign, uint32_t field, uint32_t man) {
    return (sign << 31) | ((field & 0xFFu) << 23) | (man & 0x7FFFFFu);
  }

  uint32_t special();       // one of the named special values (zeros, infinities, NaNs, extremes)
  uint32_t biased();        // one operand, exponent biased toward the ends of the range
  uint32_t edge_mantissa(); // a mantissa that is all zeros, all ones, a single bit or random
  void pair(uint32_t& a, uint32_t& b);  // one operand pair, from one of eight relations

 private:
  std::mt19937_64 rng_;
};

}  // namespace panama::ref
