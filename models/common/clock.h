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

class Clock {
 public:
  explicit Clock(double mhz = 250.0) : period_ps_(ps_t(std::llround(1e6 / mhz))) {}
  ps_t period_ps() const { return period_ps_; }
  double effective_mhz() const { return 1e6 / double(period_ps_); }
  // Time of `n` cycles.
  ps_t cycles(uint64_t n) const { return n * period_ps_; }
  sc_core::sc_time cycles_time(uint64_t n) const { return from_ps(cycles(n)); }
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
