#include "harness/speedup.h"

#include "workload/model_table.h"

namespace panama {

SpeedupPoint speedup_bound(const std::string& model, double gbps, uint32_t workers, double compute_scale) {
  const ModelSpec& m = find_model(model);
  SpeedupPoint p;
  p.model = m.name;
  p.gradient_mb = double(m.gradient_bytes()) / 1e6;
  p.compute_ms = m.compute_ms * compute_scale;
  p.gbps = gbps;
  p.workers = workers;
  const double g_bits = double(m.gradient_bytes()) * 8;
  p.ring_ms = 2.0 * (workers - 1) / workers * g_bits / (gbps * 1e9) * 1e3;
  p.ina_ms = g_bits / (gbps * 1e9) * 1e3;
  p.comm_share = p.ring_ms / (p.compute_ms + p.ring_ms);
  p.speedup = (p.compute_ms + p.ring_ms) / (p.compute_ms + p.ina_ms);
  return p;
}

nlohmann::json to_json(const SpeedupPoint& p) {
  return nlohmann::json{{"model", p.model},       {"gradient_mb", p.gradient_mb}, {"compute_ms", p.compute_ms},
                        {"gbps", p.gbps},         {"workers", p.workers},         {"ring_ms", p.ring_ms},
                        {"ina_ms", p.ina_ms},     {"comm_share", p.comm_share},   {"speedup", p.speedup}};
}

}  // namespace panama
