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
  int lookahead = -1;     // the event list's lookahead (EventQueue::set_lookahead): -1 as the fabric chose, 0 off, 1 on
};

// Runs in this process; returns {hosts, switches, sim_ms, flows, packet_hops, packet_hops_per_s, events,
// events_per_s, wall_s, build_s, peak_rss_mb, delivered_gbps, drops} and, to see where memory goes,
// peak_packets (pool), end_packets, end_host_queued (frames waiting in hosts, deferred or built),
// end_switch_queued, end_pending_events, event_lanes and lookahead.
nlohmann::json run_fabric_bench(const FabricBenchPoint& p);

}  // namespace panama
