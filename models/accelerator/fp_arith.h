// Element arithmetic of the adder tree. The contract (docs/architecture.md, "Arithmetic"):
// - fp32: IEEE-754 binary32 addition, round-to-nearest-even, subnormals kept (no flush-to-zero);
// - any NaN result becomes the canonical quiet NaN 0x7FC00000 (hardware-friendly, order-independent);
// - bf16/fp16: operands widen exactly to binary32, add as above, round once to the element format
//   (RNE). binary32 has p = 24 >= 2p+2 for both formats, so this double rounding equals a correctly
//   rounded bf16/fp16 addition; NaN results become 0x7FC0 (bf16) / 0x7E00 (fp16).
// The host's SSE addss is IEEE RNE on x86-64 (this project never enables fast-math or FTZ/DAZ).
#pragma once

#include "protocol/packet.h"

#include <cstdint>
#include <cstring>

namespace panama {

constexpr uint32_t kFp32CanonicalNan = 0x7FC00000u;
constexpr uint16_t kBf16CanonicalNan = 0x7FC0u;
constexpr uint16_t kFp16CanonicalNan = 0x7E00u;

inline uint32_t fp32_add(uint32_t a, uint32_t b) {
  float fa, fb;
  std::memcpy(&fa, &a, 4);
  std::memcpy(&fb, &b, 4);
  const float s = fa + fb;
  uint32_t r;
  std::memcpy(&r, &s, 4);
  return s != s ? kFp32CanonicalNan : r;
}

inline uint32_t bf16_to_fp32(uint16_t h) { return uint32_t(h) << 16; }
inline uint16_t fp32_to_bf16(uint32_t x) {
  if ((x & 0x7fffffffu) > 0x7f800000u) return kBf16CanonicalNan;
  return uint16_t((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);  // RNE; overflow carries into infinity
}

uint32_t fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(uint32_t x);

inline uint16_t bf16_add(uint16_t a, uint16_t b) { return fp32_to_bf16(fp32_add(bf16_to_fp32(a), bf16_to_fp32(b))); }
inline uint16_t fp16_add(uint16_t a, uint16_t b) { return fp32_to_fp16(fp32_add(fp16_to_fp32(a), fp16_to_fp32(b))); }

// acc[i] = acc[i] + in[i] for `count` wire-order (big-endian) elements of type `t`.
void accumulate_elements(ElementType t, uint8_t* acc, const uint8_t* in, uint32_t count);

// dst = reduction of `k` operand vectors (k >= 1) in the adder tree's association order: a balanced
// pairwise tree over operands in order, level by level: ((o0+o1)+(o2+o3))+o4 for k = 5. With k == 1 the
// operand is copied unchanged (no addition with zero, so -0 survives). `dst` may alias ops[0].
void reduce_elements(ElementType t, uint8_t* dst, const uint8_t* const* ops, uint32_t k, uint32_t count);

}  // namespace panama
