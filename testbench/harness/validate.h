// Physics validation (`panama validate`, tests/test_validate.cpp): the model against analytic bounds on
// small fabrics, before any comparison built on it is trusted.
//   - idle all-reduce: PANAMA reaches >= 95 % of line rate x payload fraction (each host link carries
//     every packet once up and its result once down), single-tree as well where its branches do not
//     collide, and ring >= 85 % of line rate x payload fraction x N / (2 (N - 1));
//   - sharing by congestion control: T aggregation trees beside N long DCTCP flows on one bottleneck
//     get T / (N + T) of it (each tree one flow) within 20 %, the TCP flows a Jain index >= 0.95;
//   - the accelerator's own bound: a datapath narrower than the line caps throughput at the busiest
//     stage's cycles per slot (parser, egress lane, adder tree), within 3 %;
//   - lossless stress: jobs sharing accelerators beside 85 % web-search load, strict and DRR, ECN off:
//     no lossless frame dropped, and a buffer too small for the PFC headroom is refused with its reason.
// Every case runs in its own process (one SystemC elaboration each).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace panama {

struct ValidationResult {
  std::string group;    // idle_allreduce, sharing, datapath, lossless
  std::string name;     // the case
  std::string bound;    // what the analytic bound is, in words
  double expected = 0;  // the bound (or fair share), in `unit`
  double measured = 0;
  double lo = 0, hi = 0;  // pass when lo <= measured / expected <= hi
  std::string unit;
  std::string note;       // extra figures (Jain index, drops, the refusal message)
  bool extra_ok = true;   // further conditions (Jain, drops, exact results)
  double ratio() const { return expected > 0 ? measured / expected : 0; }
  bool pass() const { return extra_ok && ratio() >= lo && ratio() <= hi; }
};

struct ValidateOptions {
  std::string only;       // run the cases whose group or name contains this ("" = all)
  std::string flows_cdf;  // the web-search CDF of the lossless stress ("" = the repository's copy)
};

std::vector<ValidationResult> run_validation(const ValidateOptions& opt);
nlohmann::json to_json(const std::vector<ValidationResult>& r);
// The table `panama validate` prints: case, bound, measured, ratio, pass.
std::string format_table(const std::vector<ValidationResult>& r);

}  // namespace panama
