// Explicit flows of a scenario (`flows:`): DCTCP flows between named hosts, each with a start time, a
// size (or `infinite`) and a group name, and per-group figures: goodput over a measurement window
// (scenario.measure_from_us .. measure_to_us), Jain's fairness index, and completion times.
#pragma once

#include "common/clock.h"
#include "common/config.h"
#include "common/event_queue.h"
#include "transport/dctcp.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace panama {

class Fabric;

// One record of the `flows` table, typed.
struct ExplicitFlow {
  uint32_t src = 0, dst = 0;  // host indices (h<n>)
  double start_us = 0;
  uint64_t bytes = 0;         // kInfiniteBytes for `infinite`
  std::string group = "flows";
};

// The size of an `infinite` flow: 2^60 bytes, which no link of at most 1600 Gbps sends within the longest
// run (scenario.duration_us <= 1e9 us: 2e14 bytes).
constexpr uint64_t kInfiniteBytes = uint64_t(1) << 60;

// The fields: src, dst (h<n>, n below `hosts` when hosts > 0; src != dst), size_bytes (1 to 1e12, or
// `infinite`), optional start_us (0 to 1e9) and group (letters, digits, '_', '-', '.'; at most 64
// characters; default `flows`). Errors name flows[i].<field> and `origin`.
ExplicitFlow explicit_flow(const ConfigRegistry::Row& row, size_t index, const std::string& origin, uint32_t hosts = 0);

// Starts the flows on `transport` and records, for every flow, the bytes its receiver has taken in order
// at the start and at the end of the measurement window.
class ExplicitFlows : public EventHandler, public FlowObserver {
 public:
  ExplicitFlows(Fabric& fabric, DctcpTransport& transport, std::vector<ExplicitFlow> flows, ps_t measure_from,
                ps_t measure_to);
  void start();

  // {groups: {<name>: {count, infinite, completed, bytes_measured, mean_mbps, min_mbps, max_mbps, jain,
  //  fct_mean_us, fct_p99_us, slowdown_mean}}, measure_from_us, measure_to_us}, groups in order of first
  // appearance in the table. Goodput of a flow = bytes received in order within the window x 8 / window;
  // jain = (sum x)^2 / (n sum x^2) over the group's flows (1 when every x is 0).
  nlohmann::json summary() const;
  // One line per flow: id,group,src,dst,bytes,start_us,fct_us,window_mbps (fct empty if not completed).
  void write_csv(const std::string& path) const;

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;
  void on_flow_complete(const FlowRecord& rec) override;

 private:
  void snapshot(std::vector<uint64_t>& at) const;
  double window_mbps(size_t i) const;

  Fabric& fabric_;
  DctcpTransport& transport_;
  std::vector<ExplicitFlow> flows_;
  uint64_t first_id_ = 0;                 // transport flow id of flows_[0] (the rest follow in order)
  std::vector<uint64_t> from_, to_;       // receiver's in-order bytes at the window's start and end
  std::vector<ps_t> fct_ps_;              // 0: not completed
  ps_t from_ps_, to_ps_;
  bool have_from_ = false, have_to_ = false;
};

}  // namespace panama
