// The paper's motivation analysis (Fig. 1): for a model, a per-iteration compute time and a link speed,
// how much of an iteration is communication under ring all-reduce, and the best-case speedup of
// in-network aggregation (no compute/communication overlap, bandwidth terms only):
//   ring all-reduce: every worker sends (and receives) 2 (N - 1) / N x G bytes  -> T_ring = 2 (N-1)/N G 8 / B
//   in-network aggregation: every worker sends G once and receives the sum once -> T_ina  = G 8 / B
//   communication share = T_ring / (T_compute + T_ring); speedup = (T_compute + T_ring) / (T_compute + T_ina)
// For large N, T_ina is half of T_ring: in-network aggregation at best halves communication (Klenk 2020).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace panama {

struct SpeedupPoint {
  std::string model;
  double gradient_mb = 0, compute_ms = 0, gbps = 0;
  uint32_t workers = 0;
  double ring_ms = 0, ina_ms = 0, comm_share = 0, speedup = 0;
};

// `compute_scale` multiplies the table's compute times (e.g. 2.5 for a GPU 2.5x slower than the table's).
SpeedupPoint speedup_bound(const std::string& model, double gbps, uint32_t workers, double compute_scale = 1.0);
nlohmann::json to_json(const SpeedupPoint& p);

}  // namespace panama
