// Background traffic for a shared cluster: flow sizes drawn from an empirical CDF (data/flows/*.cdf),
// Poisson arrivals at a target load, random or given (src, dst) pairs, flows run on the DCTCP transport;
// every completed flow's FCT and slowdown (FCT / ideal FCT on an empty network) are recorded.
#pragma once

#include "common/clock.h"
#include "common/event_queue.h"
#include "common/stats.h"
#include "transport/dctcp.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace panama {

class ConfigRegistry;
class Fabric;

// Piecewise-linear empirical CDF of flow sizes. File format: one point a line, `<bytes> <cumulative
// percent>`, sizes and percents non-decreasing (sizes strictly increasing), the last line at 100; blank
// lines and lines starting with '#' are ignored. Errors name the file and the line.
class FlowSizeCdf {
 public:
  static FlowSizeCdf load(const std::string& path);
  static FlowSizeCdf parse(std::istream& in, const std::string& origin);

  // Mean of the piecewise-linear distribution: sum over segments of (p1 - p0) (x0 + x1) / 2, plus the
  // point mass p_first at the first size.
  double mean() const;
  // Inverse transform: u ~ U[0, 100) mapped through the interpolated CDF, rounded, at least 1 byte.
  uint64_t sample(std::mt19937_64& rng) const;
  double quantile(double percent) const;
  const std::vector<std::pair<double, double>>& points() const { return pts_; }

 private:
  std::vector<std::pair<double, double>> pts_;  // (bytes, percent)
};

// Exponential inter-arrival gaps of a Poisson process of `rate_per_s` arrivals per second.
class PoissonArrivals {
 public:
  PoissonArrivals(double rate_per_s, uint64_t seed) : exp_(rate_per_s), rng_(seed) {}
  ps_t next_gap_ps() { return ps_t(exp_(rng_) * 1e12 + 0.5); }
  double rate_per_s() const { return exp_.lambda(); }

 private:
  std::exponential_distribution<double> exp_;
  std::mt19937_64 rng_;
};

// Flow arrival rate that offers `load` of `senders` host links of `host_gbps`, flows / s:
//   lambda = load x host_gbps x 1e9 x senders / (8 x mean_bytes)
inline double flow_arrival_rate(double load, double host_gbps, size_t senders, double mean_bytes) {
  return load * host_gbps * 1e9 * double(senders) / (8.0 * mean_bytes);
}

// The path between two hosts on an empty network, following the fabric's routes (first equal-cost port).
struct PathInfo {
  std::vector<double> gbps;      // per link, source to destination
  std::vector<ps_t> delay_ps;    // per link
  double bottleneck_gbps() const;
};
PathInfo path_between(Fabric& fabric, uint32_t src, uint32_t dst);

// Ideal FCT of a `bytes` flow on an empty path: all n segments leave the sender back to back (no window
// limit, no queueing behind other traffic) through the store-and-forward links, and the ACK of the last
// byte returns. Full segments leave link i at the pace of the slowest link up to i (deterministic tandem):
//   D(k, i) = sum_{j<=i} ser_j(full) + sum_{j<i} prop_j + k x max_{j<=i} ser_j(full)
// and the last, possibly shorter, segment follows its predecessor:
//   D(n-1, i) = max(D(n-1, i-1) + prop_{i-1}, D(n-2, i)) + ser_i(last)
//   ideal = D(n-1, L) + prop_L + sum_links [ ser(ACK frame) + prop ]
// A frame is payload + 54 B headers (Ethernet 14, IPv4 20, TCP 20), at least 60 B, plus 24 B on the wire
// (preamble, FCS, inter-frame gap). On equal-rate links this is
//   ideal = (n - 1) ser(full) + ser(last) + (L - 1) ser(full) + sum_links (2 prop + ser(ACK)),
// i.e. size incl. header overhead / line rate + the base RTT of the path.
ps_t ideal_fct_ps(const PathInfo& path, uint64_t bytes, uint32_t mss);

struct FlowGenConfig {
  std::string cdf = "";          // CDF file; the caller loads it with FlowSizeCdf::load and passes the result
  double load = 0.5;             // offered load as a fraction of the hosts' aggregate link capacity
  double start_us = 0.0;         // first arrival no earlier than this
  double duration_us = 1000.0;   // arrivals in [start, start + duration)
  uint32_t max_flows = 0;        // stop after this many arrivals (0: no limit)
  int64_t seed = 1;
  uint64_t tag = 0;              // FlowRecord tag of generated flows

  void register_params(ConfigRegistry& reg, const std::string& prefix = "workload.flows");
};

struct FlowResult {
  FlowRecord rec;
  ps_t ideal_ps = 0;
  double slowdown = 0;  // fct / ideal
};

// Generates flows on `transport` between the hosts of `fabric`. Arrival rate:
//   lambda = load x (host link Gbps x number of sending hosts) x 1e9 / (8 x mean flow size)  [flows / s]
// The generator observes the transport and records the flows it started (other flows are ignored).
class FlowGenerator : public EventHandler, public FlowObserver {
 public:
  FlowGenerator(Fabric& fabric, DctcpTransport& transport, const FlowSizeCdf& cdf, const FlowGenConfig& cfg);

  // Restrict to these (src, dst) host pairs, chosen uniformly (default: all hosts, random src != dst).
  void set_pairs(std::vector<std::pair<uint32_t, uint32_t>> pairs);
  // Schedules the first arrival; later arrivals are scheduled one at a time as the simulation runs.
  void start();

  double lambda_per_s() const { return lambda_; }
  uint64_t generated() const { return generated_; }
  size_t in_flight() const { return mine_.size(); }  // generated flows not yet completed
  const std::vector<FlowResult>& results() const { return results_; }
  const SampleSet& slowdowns() const { return slowdown_; }
  const SampleSet& fcts_us() const { return fct_us_; }
  // Flow count, completed, FCT and slowdown mean / p50 / p99, overall and for flows below 100 KB.
  nlohmann::json summary() const;

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;
  void on_flow_complete(const FlowRecord& rec) override;

 private:
  void arrival();

  Fabric& fabric_;
  DctcpTransport& transport_;
  const FlowSizeCdf& cdf_;
  FlowGenConfig cfg_;
  std::vector<std::pair<uint32_t, uint32_t>> pairs_;
  std::vector<uint32_t> hosts_;
  double lambda_ = 0;
  std::mt19937_64 rng_;  // pairs and sizes
  PoissonArrivals arrivals_{1.0, 0};
  ps_t end_ps_ = 0;
  uint64_t generated_ = 0;
  std::unordered_set<uint64_t> mine_;  // ids of this generator's flows still running
  std::vector<FlowResult> results_;
  SampleSet slowdown_, fct_us_, slowdown_short_, fct_short_us_;
};

}  // namespace panama
