// `panama bench fabric`: simulation speed of the fabric model. Every host of a k-ary fat-tree sends one
// long DCTCP flow to a random permutation partner for a fixed simulated time.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

namespace panama {

struct FabricBenchPoint {
  uint32_t k = 8;
  double sim_ms = 10.0;
  double gbps = 100.0;
  int64_t seed = 1;
  bool decoupled = true;  // temporal decoupling of the fabric's event list (EventQueue::set_decoupled)
};

// Runs in this process; returns {hosts, switches, packet_hops, packet_hops_per_s, events, events_per_s,
// wall_s, build_s, peak_rss_mb, sim_ms, flows, goodput_gbps, drops}.
nlohmann::json run_fabric_bench(const FabricBenchPoint& p);

}  // namespace panama
