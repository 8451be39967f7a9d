// Cycle/time conversion: the one place where cycles become simulated time and back.
// Time is kept in integer picoseconds (SystemC's default resolution), so clocks such as 156.25 MHz
// (6400 ps) and 250 MHz (4000 ps) are exact; other frequencies round the period to the nearest ps.
#pragma once

#include <systemc>

#include <cmath>
#include <cstdint>

namespace panama {

using ps_t = uint64_t;

inline ps_t to_ps(const sc_core::sc_time& t) { return ps_t(t.value()); }  // resolution is 1 ps
inline sc_core::sc_time from_ps(ps_t ps) { return sc_core::sc_time::from_value(ps); }

// Serialization time of `bits` on a link of `gbps`, rounded up to a whole picosecond.
inline ps_t serialization_ps(uint64_t bits, double gbps) {
  return ps_t(std::ceil(double(bits) * 1000.0 / gbps - 1e-9));
}

// serialization_ps() in integer arithmetic, for a link whose picoseconds per bit (1000 / gbps) are
// mul / 2^shift with whole mul: 1, 10, 25, 40, 100, 200, 400 or 800 Gbps, but not 56. Then
// ceil(bits x mul / 2^shift) equals serialization_ps() for every frame: its double division is exact
// (the quotient is a dyadic fraction with fewer than 53 significant bits), and the 1e-9 guard never
// crosses a whole picosecond (a fractional part is at least 2^-20). A port computes each frame's wire
// time in a multiply and a shift instead of a division and a rounding (half the frames a switch port
// starts differ in size from the one before: data one way, ACKs the other). mul = 0: no such form.
struct SerializationRate {
  uint32_t mul = 0;
  uint8_t shift = 0;
  static constexpr int kMaxShift = 20;
  static SerializationRate exact_for(double gbps) {
    for (int s = 0; s <= kMaxShift; ++s) {
      const double num = std::ldexp(1000.0, s);
      const double q = num / gbps;
      if (q >= 1.0 && q < 4294967296.0 && q == std::floor(q) && std::fma(q, gbps, -num) == 0.0)
        return SerializationRate{uint32_t(q), uint8_t(s)};
    }
    return SerializationRate{};
  }
  bool exact() const { return mul != 0; }
  // For bits below 2^21 (any frame: the argument above needs bits x mul below 2^53).
  ps_t ps(uint64_t bits) const { return (bits * mul + ((uint64_t(1) << shift) - 1)) >> shift; }
};

class Clock {
 public:
  explicit Clock(double mhz = 250.0) : period_ps_(ps_t(std::llround(1e6 / mhz))) {}
  ps_t period_ps() const { return period_ps_; }
  double effective_mhz() const { return 1e6 / double(period_ps_); }
  // Time of `n` cycles.
  ps_t cycles(uint64_t n) const { return n * period_ps_; }
  // Index of the first clock edge at or after `t`.
  uint64_t edge_at_or_after(ps_t t) const { return (t + period_ps_ - 1) / period_ps_; }
  // Cycle count of a duration, rounded up.
  uint64_t cycles_ceil(ps_t d) const { return (d + period_ps_ - 1) / period_ps_; }
  double ns(uint64_t cycles) const { return double(cycles * period_ps_) / 1000.0; }

 private:
  ps_t period_ps_;
};

// ceil(a / b) for the beat/occupancy arithmetic of every stage.
constexpr uint64_t div_ceil(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace panama
