// Validates the integer-only arithmetic reference (tests/support/softfloat_ref.h) against the host.
//
// The host's SSE scalar float addition is IEEE-754 binary32 with round-to-nearest-even on x86-64
// as long as the build has no fast-math and MXCSR has flush-to-zero / denormals-are-zero cleared
// (both are checked below). Host conversions to fp16 go through _Float16, which GCC implements
// with round-to-nearest-even. bf16 rounding has no host type in GCC 12, so it is checked against
// a nearest-neighbour search written independently of the reference's bit trick.
#define BOOST_TEST_MODULE softfloat_ref
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

#include <xmmintrin.h>

#include "support/softfloat_ref.h"

#ifdef __FAST_MATH__
#error "test_softfloat_ref compares against host IEEE arithmetic and must not be built with -ffast-math"
#endif

namespace {

using panama::ref::bf16_add;
using panama::ref::bf16_to_fp32;
using panama::ref::fp16_add;
using panama::ref::fp16_to_fp32;
using panama::ref::fp32_add;
using panama::ref::fp32_operand_generator;
using panama::ref::fp32_to_bf16;
using panama::ref::fp32_to_fp16;

constexpr uint32_t canonical_nan32 = 0x7FC00000u;
constexpr uint16_t canonical_nan_bf16 = 0x7FC0u;
constexpr uint16_t canonical_nan_fp16 = 0x7E00u;
constexpr uint64_t seed = 0x50414E414D41ull;  // "PANAMA": fixed, so every run sees the same vectors

float to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint32_t to_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

bool is_nan32(uint32_t bits) { return (bits & 0x7F800000u) == 0x7F800000u && (bits & 0x007FFFFFu) != 0; }

// Host binary32 addition; volatile keeps the compiler from folding or contracting it.
uint32_t host_fp32_add(uint32_t a, uint32_t b) {
  volatile float fa = to_float(a);
  volatile float fb = to_float(b);
  volatile float sum = fa + fb;
  return to_bits(sum);
}

// The contract's expected sum: the host's IEEE sum, with any NaN made canonical.
uint32_t expected_fp32_add(uint32_t a, uint32_t b) {
  const uint32_t sum = host_fp32_add(a, b);
  return is_nan32(sum) ? canonical_nan32 : sum;
}

// The host's binary16 type: _Float16 in GCC (x86 since GCC 12); clang 14 has it only on some targets, but
// __fp16 (the same IEEE binary16, converted with round-to-nearest-even) on every one.
#if defined(__clang__)
using host_half = __fp16;
#else
using host_half = _Float16;
#endif

uint16_t host_fp32_to_fp16(uint32_t f) {
  volatile float in = to_float(f);
  const host_half h = static_cast<host_half>(in);
  uint16_t bits;
  std::memcpy(&bits, &h, sizeof bits);
  return bits;
}

uint32_t host_fp16_to_fp32(uint16_t bits) {
  host_half h;
  std::memcpy(&h, &bits, sizeof h);
  return to_bits(static_cast<float>(h));
}

// Value of a binary32 bit pattern with the exponent treated as unbounded, so 0x7F800000 reads as
// 2^128: the "next value up" from the largest finite number, which is how IEEE decides overflow.
double unbounded_value(uint32_t bits) {
  const uint32_t field = (bits >> 23) & 0xFFu;
  const uint32_t man = bits & 0x7FFFFFu;
  const double magnitude = field == 0 ? std::ldexp(static_cast<double>(man), -149)
                                      : std::ldexp(static_cast<double>(man | 0x800000u), static_cast<int>(field) - 150);
  return (bits & 0x80000000u) != 0 ? -magnitude : magnitude;
}

// bf16 round-to-nearest-even by comparing the distances to the two bf16 neighbours of x.
// Differences of binary32 values within a factor of two are exact in double.
uint16_t nearest_bf16(uint32_t x) {
  if (is_nan32(x)) return canonical_nan_bf16;
  const uint32_t toward_zero = x & 0xFFFF0000u;
  if (toward_zero == x) return static_cast<uint16_t>(x >> 16);
  const uint32_t away = toward_zero + 0x10000u;  // next bf16 in magnitude (may be infinity)
  const double d_toward = std::fabs(unbounded_value(x) - unbounded_value(toward_zero));
  const double d_away = std::fabs(unbounded_value(away) - unbounded_value(x));
  if (d_toward < d_away) return static_cast<uint16_t>(toward_zero >> 16);
  if (d_away < d_toward) return static_cast<uint16_t>(away >> 16);
  return static_cast<uint16_t>(((toward_zero >> 16) & 1u) == 0 ? toward_zero >> 16 : away >> 16);
}

uint16_t expected_fp16_add(uint16_t a, uint16_t b) {
  const uint32_t sum = host_fp32_add(host_fp16_to_fp32(a), host_fp16_to_fp32(b));
  return is_nan32(sum) ? canonical_nan_fp16 : host_fp32_to_fp16(sum);
}

uint16_t expected_bf16_add(uint16_t a, uint16_t b) {
  const uint32_t sum = host_fp32_add(static_cast<uint32_t>(a) << 16, static_cast<uint32_t>(b) << 16);
  return nearest_bf16(sum);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(host_environment)

BOOST_AUTO_TEST_CASE(sse_arithmetic_keeps_subnormals) {
  // MXCSR bit 15 is flush-to-zero, bit 6 denormals-are-zero: the host oracle needs both clear.
  const unsigned csr = _mm_getcsr();
  BOOST_TEST((csr & 0x8000u) == 0u, "MXCSR flush-to-zero is set; the host is not an IEEE oracle");
  BOOST_TEST((csr & 0x0040u) == 0u, "MXCSR denormals-are-zero is set; the host is not an IEEE oracle");
  BOOST_TEST(host_fp32_add(0x00000001u, 0x00000001u) == 0x00000002u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fp32_add_reference)

BOOST_AUTO_TEST_CASE(hand_derived_corner_cases) {
  // The table and each derivation live in softfloat_ref.cpp, shared with the RTL co-simulation.
  for (const panama::ref::fp32_add_corner& c : panama::ref::fp32_add_corners()) {
    const uint32_t got = fp32_add(c.a, c.b);
    BOOST_TEST(got == c.sum, c.why << ": got 0x" << std::hex << got << ", want 0x" << c.sum);
    // The hand derivations must agree with the host too (NaN rule applied).
    BOOST_TEST(expected_fp32_add(c.a, c.b) == c.sum, c.why << ": host disagrees with the derivation");
  }
}

BOOST_AUTO_TEST_CASE(matches_host_sse_on_biased_random_vectors) {
  // 4 million pairs: a few per relation category per exponent pair region, run in about a second.
  constexpr int vectors = 4'000'000;
  fp32_operand_generator gen(seed);
  int mismatches = 0;
  int nan_results = 0;
  int subnormal_results = 0;
  int infinite_results = 0;
  for (int i = 0; i < vectors; ++i) {
    uint32_t a, b;
    gen.pair(a, b);
    const uint32_t want = expected_fp32_add(a, b);
    const uint32_t got = fp32_add(a, b);
    if (got != want) {
      if (++mismatches <= 10) {
        BOOST_ERROR("0x" << std::hex << a << " + 0x" << b << ": reference 0x" << got << ", host 0x" << want);
      }
    }
    nan_results += want == canonical_nan32;
    subnormal_results += (want & 0x7F800000u) == 0 && (want & 0x7FFFFFu) != 0;
    infinite_results += (want & 0x7FFFFFFFu) == 0x7F800000u;
  }
  BOOST_TEST(mismatches == 0, mismatches << " mismatches in " << vectors << " vectors");
  // The bias must actually reach the interesting regions (each is a sizeable share of the draw).
  BOOST_TEST(nan_results > vectors / 100);
  BOOST_TEST(subnormal_results > vectors / 100);
  BOOST_TEST(infinite_results > vectors / 100);
}

BOOST_AUTO_TEST_CASE(every_nan_result_is_canonical) {
  fp32_operand_generator gen(seed + 1);
  constexpr int vectors = 200'000;
  int wrong = 0;
  for (int i = 0; i < vectors; ++i) {
    // Any NaN operand, any sign and payload, against anything: the result is 0x7FC00000.
    const uint32_t nan = (gen.below(2) << 31) | 0x7F800000u | (1u + gen.below(0x7FFFFF));
    const uint32_t other = gen.biased();
    wrong += fp32_add(nan, other) != canonical_nan32;
    wrong += fp32_add(other, nan) != canonical_nan32;
  }
  BOOST_TEST(wrong == 0, wrong << " NaN sums were not 0x7FC00000");
}

BOOST_AUTO_TEST_CASE(addition_is_commutative_bit_for_bit) {
  fp32_operand_generator gen(seed + 2);
  int asymmetric = 0;
  for (int i = 0; i < 500'000; ++i) {
    uint32_t a, b;
    gen.pair(a, b);
    asymmetric += fp32_add(a, b) != fp32_add(b, a);
  }
  BOOST_TEST(asymmetric == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(format_conversions)

BOOST_AUTO_TEST_CASE(fp16_to_fp32_matches_host_on_all_65536_patterns) {
  for (uint32_t h = 0; h <= 0xFFFFu; ++h) {
    const auto h16 = static_cast<uint16_t>(h);
    const uint32_t got = fp16_to_fp32(h16);
    const bool fp16_nan = (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0;
    if (fp16_nan) {
      // Widening is exact: sign and payload move up unchanged.
      BOOST_TEST(got == (((h & 0x8000u) << 16) | 0x7F800000u | ((h & 0x3FFu) << 13)));
    } else {
      BOOST_TEST(got == host_fp16_to_fp32(h16), "fp16 0x" << std::hex << h);
    }
  }
}

BOOST_AUTO_TEST_CASE(fp16_widening_corner_cases) {
  BOOST_TEST(fp16_to_fp32(0x0001u) == 0x33800000u);  // min subnormal 2^-24
  BOOST_TEST(fp16_to_fp32(0x03FFu) == 0x387FC000u);  // max subnormal 1023 * 2^-24
  BOOST_TEST(fp16_to_fp32(0x0400u) == 0x38800000u);  // min normal 2^-14
  BOOST_TEST(fp16_to_fp32(0x7BFFu) == 0x477FE000u);  // 65504
  BOOST_TEST(fp16_to_fp32(0xFC00u) == 0xFF800000u);  // -inf
  BOOST_TEST(fp16_to_fp32(0x8000u) == 0x80000000u);  // -0
}

BOOST_AUTO_TEST_CASE(fp32_to_fp16_matches_host_around_every_fp16_boundary) {
  // For every finite fp16 value: itself and +/-2 binary32 ulps, and the binary32 patterns at and
  // next to the midpoint with its successor, which are exactly the rounding decision points.
  int checked = 0;
  for (uint32_t h = 0; h < 0x7C00u; ++h) {
    for (const uint32_t sign : {0u, 0x80000000u}) {
      const uint32_t lo = fp16_to_fp32(static_cast<uint16_t>(h));
      const uint32_t hi = fp16_to_fp32(static_cast<uint16_t>(h + 1));  // h + 1 may be infinity
      const uint32_t mid = lo + (hi - lo) / 2;
      for (const uint32_t x : {lo - 2, lo - 1, lo, lo + 1, lo + 2, mid - 1, mid, mid + 1}) {
        if (h == 0 && x > 0x7FFFFFFFu) continue;  // lo - 1 below +0 wraps
        const uint32_t f = x | sign;
        BOOST_TEST(fp32_to_fp16(f) == host_fp32_to_fp16(f), "fp32 0x" << std::hex << f);
        ++checked;
      }
    }
  }
  BOOST_TEST(checked > 400'000);
}

BOOST_AUTO_TEST_CASE(fp32_to_fp16_matches_host_on_random_patterns) {
  fp32_operand_generator gen(seed + 3);
  for (int i = 0; i < 1'000'000; ++i) {
    // Exponents 95..145 cover the fp16 range from well below the smallest subnormal to overflow.
    const uint32_t f = i % 2 == 0 ? gen.bits() : gen.make(gen.below(2), 95 + gen.below(51), gen.bits());
    const uint16_t want = is_nan32(f) ? canonical_nan_fp16 : host_fp32_to_fp16(f);
    const uint16_t got = fp32_to_fp16(f);
    if (got != want) BOOST_ERROR("fp32 0x" << std::hex << f << ": reference 0x" << got << ", host 0x" << want);
  }
}

BOOST_AUTO_TEST_CASE(fp32_to_fp16_corner_cases) {
  BOOST_TEST(fp32_to_fp16(0x33000000u) == 0x0000u);  // 2^-25: tie between 0 and min subnormal, 0 is even
  BOOST_TEST(fp32_to_fp16(0x33000001u) == 0x0001u);  // just above the tie
  BOOST_TEST(fp32_to_fp16(0x33C00000u) == 0x0002u);  // 1.5 * 2^-24: tie between 1 and 2 units, 2 is even
  BOOST_TEST(fp32_to_fp16(0x387FE000u) == 0x0400u);  // 1023.5 units: tie rounds up into the min normal
  BOOST_TEST(fp32_to_fp16(0x477FF000u) == 0x7C00u);  // 65520: tie above 65504 (odd) overflows to inf
  BOOST_TEST(fp32_to_fp16(0x477FEFFFu) == 0x7BFFu);  // just below that tie: 65504
  BOOST_TEST(fp32_to_fp16(0x00000001u) == 0x0000u);  // binary32 subnormals are far below fp16's range
  BOOST_TEST(fp32_to_fp16(0x80000001u) == 0x8000u);  // ... and keep their sign
  BOOST_TEST(fp32_to_fp16(0x7FC00001u) == canonical_nan_fp16);
  BOOST_TEST(fp32_to_fp16(0xFF800001u) == canonical_nan_fp16);
  BOOST_TEST(fp32_to_fp16(0xFF800000u) == 0xFC00u);
}

BOOST_AUTO_TEST_CASE(fp32_to_bf16_matches_nearest_neighbour_search) {
  fp32_operand_generator gen(seed + 4);
  for (int i = 0; i < 1'000'000; ++i) {
    // Half of the draws have a tie-shaped low half: 0x8000 plus or minus one.
    uint32_t f = gen.biased();
    if (i % 2 == 0) f = (f & 0xFFFF0000u) | (0x7FFFu + gen.below(3));
    const uint16_t got = fp32_to_bf16(f);
    const uint16_t want = nearest_bf16(f);
    if (got != want) BOOST_ERROR("fp32 0x" << std::hex << f << ": reference 0x" << got << ", search 0x" << want);
  }
}

BOOST_AUTO_TEST_CASE(bf16_conversion_corner_cases) {
  BOOST_TEST(bf16_to_fp32(0x3F80u) == 0x3F800000u);
  BOOST_TEST(fp32_to_bf16(0x3F808000u) == 0x3F80u);  // 1 + 2^-8: tie, 0x3F80 is even
  BOOST_TEST(fp32_to_bf16(0x3F818000u) == 0x3F82u);  // tie above the odd 0x3F81 rounds up
  BOOST_TEST(fp32_to_bf16(0x3F808001u) == 0x3F81u);  // above the tie
  BOOST_TEST(fp32_to_bf16(0x7F7F8000u) == 0x7F80u);  // tie above max bf16 (odd) overflows to inf
  BOOST_TEST(fp32_to_bf16(0x7F7F7FFFu) == 0x7F7Fu);  // below that tie
  BOOST_TEST(fp32_to_bf16(0x00008000u) == 0x0000u);  // subnormal tie rounds to +0 (even)
  BOOST_TEST(fp32_to_bf16(0x00018000u) == 0x0002u);  // subnormal tie above an odd one rounds up
  BOOST_TEST(fp32_to_bf16(0x7F800001u) == canonical_nan_bf16);  // NaN whose payload is all below bf16
  BOOST_TEST(fp32_to_bf16(0xFFFFFFFFu) == canonical_nan_bf16);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(element_format_add)

BOOST_AUTO_TEST_CASE(fp16_add_matches_host_on_random_pairs) {
  fp32_operand_generator gen(seed + 5);
  int mismatches = 0;
  for (int i = 0; i < 2'000'000; ++i) {
    auto a = static_cast<uint16_t>(gen.bits());
    auto b = static_cast<uint16_t>(gen.bits());
    if (i % 4 == 1) b = static_cast<uint16_t>((a ^ 0x8000u) + gen.below(5) - 2);  // cancellation
    if (i % 4 == 2) {                                                             // subnormals
      a &= 0x83FFu;
      b &= 0x83FFu;
    }
    if (i % 4 == 3) {  // near overflow
      a = static_cast<uint16_t>((a & 0x83FFu) | 0x7800u);
      b = static_cast<uint16_t>((b & 0x83FFu) | (0x7000u + (gen.below(3) << 10)));
    }
    const uint16_t want = expected_fp16_add(a, b);
    const uint16_t got = fp16_add(a, b);
    if (got != want && ++mismatches <= 10) {
      BOOST_ERROR("fp16 0x" << std::hex << a << " + 0x" << b << ": reference 0x" << got << ", host 0x" << want);
    }
  }
  BOOST_TEST(mismatches == 0);
}

BOOST_AUTO_TEST_CASE(bf16_add_matches_host_on_random_pairs) {
  fp32_operand_generator gen(seed + 6);
  int mismatches = 0;
  for (int i = 0; i < 2'000'000; ++i) {
    uint32_t a32, b32;
    gen.pair(a32, b32);
    const auto a = static_cast<uint16_t>(a32 >> 16);
    const auto b = static_cast<uint16_t>(b32 >> 16);
    const uint16_t want = expected_bf16_add(a, b);
    const uint16_t got = bf16_add(a, b);
    if (got != want && ++mismatches <= 10) {
      BOOST_ERROR("bf16 0x" << std::hex << a << " + 0x" << b << ": reference 0x" << got << ", host 0x" << want);
    }
  }
  BOOST_TEST(mismatches == 0);
}

BOOST_AUTO_TEST_CASE(element_format_corner_cases) {
  // bf16 keeps 8 significant bits: 2^-8 is half an ulp of 1.0.
  BOOST_TEST(bf16_add(0x3F80u, 0x3B80u) == 0x3F80u);  // 1 + 2^-8 = 1 (tie to even)
  BOOST_TEST(bf16_add(0x3F81u, 0x3B80u) == 0x3F82u);  // (1 + 2^-7) + 2^-8: tie above odd rounds up
  BOOST_TEST(bf16_add(0x7F7Fu, 0x7F7Fu) == 0x7F80u);  // max + max = +inf
  BOOST_TEST(bf16_add(0x0001u, 0x0001u) == 0x0002u);  // min subnormal doubles
  BOOST_TEST(bf16_add(0x8000u, 0x8000u) == 0x8000u);  // -0 + -0 = -0
  BOOST_TEST(bf16_add(0x8000u, 0x0000u) == 0x0000u);  // -0 + +0 = +0
  BOOST_TEST(bf16_add(0x7F80u, 0xFF80u) == canonical_nan_bf16);
  BOOST_TEST(bf16_add(0x7F81u, 0x0000u) == canonical_nan_bf16);
  // fp16 keeps 11 significant bits: 2^-11 (0x1000) is half an ulp of 1.0 (0x3C00).
  BOOST_TEST(fp16_add(0x3C00u, 0x1000u) == 0x3C00u);  // 1 + 2^-11 = 1 (tie to even)
  BOOST_TEST(fp16_add(0x3C01u, 0x1000u) == 0x3C02u);  // tie above odd rounds up
  BOOST_TEST(fp16_add(0x7BFFu, 0x4C00u) == 0x7C00u);  // 65504 + 16: tie above odd 65504 -> inf
  BOOST_TEST(fp16_add(0x7BFFu, 0x4B80u) == 0x7BFFu);  // 65504 + 15 stays finite
  BOOST_TEST(fp16_add(0x7BFFu, 0x7BFFu) == 0x7C00u);  // max + max = +inf
  BOOST_TEST(fp16_add(0x0001u, 0x0001u) == 0x0002u);  // min subnormal doubles
  BOOST_TEST(fp16_add(0x03FFu, 0x0001u) == 0x0400u);  // max subnormal + min subnormal = min normal
  BOOST_TEST(fp16_add(0x8000u, 0x8000u) == 0x8000u);  // -0 + -0 = -0
  BOOST_TEST(fp16_add(0x3C00u, 0xBC00u) == 0x0000u);  // 1 + -1 = +0
  BOOST_TEST(fp16_add(0x7C00u, 0xFC00u) == canonical_nan_fp16);
  BOOST_TEST(fp16_add(0x7C01u, 0x3C00u) == canonical_nan_fp16);
}

BOOST_AUTO_TEST_SUITE_END()
