// Fabric statistics: the JSON summary (per port counters, utilisation, drops by reason) and the CSV time
// series of sampled egress queues. One place for how the network reports.
#pragma once

#include "network/topology.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace panama {

// Per switch port: frames, bytes, utilisation over `elapsed_ps`, peak queue, ECN marks, PAUSE frames;
// fabric-wide drops by reason. `all_ports` lists every port (big for large fabrics); otherwise only
// the totals and the busiest ports are listed.
nlohmann::json fabric_summary(const Fabric& f, ps_t elapsed_ps, bool all_ports = false);

// Samples the egress queue of chosen switch ports every `interval_ps` and appends CSV rows
// `time_us,switch,port,tc,queue_bytes,queue_packets,tx_bytes` to a file.
class QueueSampler : public EventHandler {
 public:
  struct Probe {
    uint32_t sw, port;
    uint8_t tc;
  };
  QueueSampler(Fabric& f, std::vector<Probe> probes, ps_t interval_ps, const std::string& csv_path, ps_t until_ps);
  void on_event(uint32_t, void*, uint64_t) override;
  // Samples kept in memory too (queue packets), for tests: samples[i] belongs to probes[i % probes.size()].
  std::vector<uint64_t> samples;

 private:
  Fabric& f_;
  std::vector<Probe> probes_;
  ps_t interval_, until_;
  std::ofstream csv_;
};

}  // namespace panama
