#include "accelerator/fp_arith.h"

#include <cstring>
#include <vector>

namespace panama {

uint32_t fp16_to_fp32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t e = (h >> 10) & 0x1fu;
  uint32_t m = h & 0x3ffu;
  if (e == 0x1f) return sign | 0x7f800000u | (m << 13);
  if (e == 0) {
    if (m == 0) return sign;
    e = 1;  // subnormal: normalise into binary32's wider exponent range (exact)
    while (!(m & 0x400u)) {
      m <<= 1;
      --e;
    }
    m &= 0x3ffu;
  }
  return sign | ((e + 112u) << 23) | (m << 13);
}

uint16_t fp32_to_fp16(uint32_t x) {
  const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return kFp16CanonicalNan;
  if (ax >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds to infinity (65504 is odd: ties up)
  if (ax < 0x38800000u) {                        // below 2^-14: fp16 subnormal or zero
    if (ax <= 0x33000000u) return sign;          // <= 2^-25: rounds to zero (2^-25 ties to even 0)
    const uint32_t e = ax >> 23;
    const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - e;  // value in units of 2^-24 is m >> shift
    uint32_t r = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (r & 1u))) ++r;
    return uint16_t(sign | r);
  }
  uint32_t r = (ax - 0x38000000u) >> 13;  // rebias 127 -> 15 and drop 13 mantissa bits
  const uint32_t rem = ax & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) ++r;
  return uint16_t(sign | r);
}

namespace {

inline uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }

template <typename Add, typename Load, typename Store>
void reduce_generic(uint8_t* dst, const uint8_t* const* ops, uint32_t k, uint32_t count, uint32_t esz, Add add,
                    Load load, Store store) {
  uint32_t vals[64];
  for (uint32_t i = 0; i < count; ++i) {
    for (uint32_t j = 0; j < k; ++j) vals[j] = load(ops[j] + size_t(i) * esz);
    for (uint32_t width = k; width > 1;) {  // one tree level per iteration
      uint32_t out = 0;
      for (uint32_t j = 0; j + 1 < width; j += 2) vals[out++] = add(vals[j], vals[j + 1]);
      if (width & 1u) vals[out++] = vals[width - 1];
      width = out;
    }
    store(dst + size_t(i) * esz, vals[0]);
  }
}

// Four FP32 lanes at once, in GCC/Clang vector extensions: plain SSE2 on x86-64 (the baseline has no
// byte shuffle, so the byte swap is written as shifts and masks), generic code elsewhere. Lane for lane
// the same IEEE additions as fp32_add (addps and addss round alike under the same MXCSR), so the sums
// are bit-identical; the scalar loop was the hottest code of a loaded PANAMA fabric.
typedef uint32_t U32x4 __attribute__((vector_size(16)));
typedef float F32x4 __attribute__((vector_size(16)));

inline U32x4 bswap_x4(U32x4 x) { return (x << 24) | ((x & 0xff00u) << 8) | ((x >> 8) & 0xff00u) | (x >> 24); }

inline U32x4 fp32_add_x4(U32x4 a, U32x4 b) {
  F32x4 fa, fb;
  std::memcpy(&fa, &a, 16);
  std::memcpy(&fb, &b, 16);
  const F32x4 sum = fa + fb;
  const U32x4 nan = (U32x4)(sum != sum);  // all ones in a NaN lane
  U32x4 r;
  std::memcpy(&r, &sum, 16);
  return (r & ~nan) | (nan & kFp32CanonicalNan);
}

inline U32x4 load_x4(const uint8_t* p) {
  U32x4 v;
  std::memcpy(&v, p, 16);
  return v;
}

inline void store_x4(uint8_t* p, U32x4 v) { std::memcpy(p, &v, 16); }

// FP32 adder tree over k operands, four elements at a time through the whole tree, level by level; each
// element sees exactly the pairing of reduce_generic. All operands of a group are read before its result
// is written, so dst may be one of them.
void reduce_fp32_x4(uint8_t* dst, const uint8_t* const* ops, uint32_t k, uint32_t count) {
  U32x4 vals[64];
  uint32_t i = 0;
  for (; i + 4 <= count; i += 4) {
    for (uint32_t j = 0; j < k; ++j) vals[j] = bswap_x4(load_x4(ops[j] + size_t(i) * 4));
    for (uint32_t width = k; width > 1;) {
      uint32_t out = 0;
      for (uint32_t j = 0; j + 1 < width; j += 2) vals[out++] = fp32_add_x4(vals[j], vals[j + 1]);
      if (width & 1u) vals[out++] = vals[width - 1];
      width = out;
    }
    store_x4(dst + size_t(i) * 4, bswap_x4(vals[0]));
  }
  if (i < count) {
    const uint8_t* tail[64];
    for (uint32_t j = 0; j < k; ++j) tail[j] = ops[j] + size_t(i) * 4;
    reduce_generic(dst + size_t(i) * 4, tail, k, count - i, 4, fp32_add, load_be32, store_be32);
  }
}

}  // namespace

void accumulate_elements(ElementType t, uint8_t* acc, const uint8_t* in, uint32_t count) {
  switch (t) {
    case ElementType::fp32: {
      uint32_t i = 0;
      for (; i + 4 <= count; i += 4)
        store_x4(acc + 4 * size_t(i), bswap_x4(fp32_add_x4(bswap_x4(load_x4(acc + 4 * size_t(i))),
                                                           bswap_x4(load_x4(in + 4 * size_t(i))))));
      for (; i < count; ++i) {
        uint32_t a, b;
        std::memcpy(&a, acc + 4 * size_t(i), 4);
        std::memcpy(&b, in + 4 * size_t(i), 4);
        const uint32_t r = bswap32(fp32_add(bswap32(a), bswap32(b)));
        std::memcpy(acc + 4 * size_t(i), &r, 4);
      }
      break;
    }
    case ElementType::bf16:
      for (uint32_t i = 0; i < count; ++i)
        store_be16(acc + 2 * size_t(i), bf16_add(load_be16(acc + 2 * size_t(i)), load_be16(in + 2 * size_t(i))));
      break;
    case ElementType::fp16:
      for (uint32_t i = 0; i < count; ++i)
        store_be16(acc + 2 * size_t(i), fp16_add(load_be16(acc + 2 * size_t(i)), load_be16(in + 2 * size_t(i))));
      break;
  }
}

void reduce_elements(ElementType t, uint8_t* dst, const uint8_t* const* ops, uint32_t k, uint32_t count) {
  const uint32_t esz = element_bytes(t);
  if (k == 1) {
    if (dst != ops[0]) std::memmove(dst, ops[0], size_t(count) * esz);
    return;
  }
  if (k == 2 && dst == ops[0]) {
    accumulate_elements(t, dst, ops[1], count);
    return;
  }
  auto ld16 = [](const uint8_t* p) { return uint32_t(load_be16(p)); };
  auto st16 = [](uint8_t* p, uint32_t v) { store_be16(p, uint16_t(v)); };
  switch (t) {
    case ElementType::fp32:
      reduce_fp32_x4(dst, ops, k, count);
      break;
    case ElementType::bf16:
      reduce_generic(dst, ops, k, count, esz, [](uint32_t a, uint32_t b) { return uint32_t(bf16_add(uint16_t(a), uint16_t(b))); },
                     ld16, st16);
      break;
    case ElementType::fp16:
      reduce_generic(dst, ops, k, count, esz, [](uint32_t a, uint32_t b) { return uint32_t(fp16_add(uint16_t(a), uint16_t(b))); },
                     ld16, st16);
      break;
  }
}

}  // namespace panama
