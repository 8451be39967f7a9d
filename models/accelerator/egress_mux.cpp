#include "accelerator/egress_mux.h"

#include "protocol/packet.h"

namespace panama {

EgressMux::EgressMux(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg, const Clock& clk,
                     EventQueue& eq, EgressSink& sink)
    : sc_module(name),
      clk_(clk),
      eq_(eq),
      sink_(sink),
      gbps_(cfg.port_gbps),
      latency_ps_(clk.cycles(cfg.egress_latency_cycles)),
      lanes_(cfg.ports) {}

size_t EgressMux::queued() const {
  size_t n = 0;
  for (auto& l : lanes_) n += l.q[0].size() + l.q[1].size();
  return n;
}

void EgressMux::enqueue(uint32_t lane, tlm::tlm_generic_payload* gp, Source src, ps_t head_ps) {
  lanes_[lane].q[src].push_back(Entry{gp, head_ps + latency_ps_});
  try_start(lane);
}

void EgressMux::resume(uint32_t lane) {
  lanes_[lane].busy = false;
  --busy_lanes_;
  try_start(lane);
}

void EgressMux::try_start(uint32_t lane_idx) {
  Lane& lane = lanes_[lane_idx];
  if (lane.busy) return;
  const ps_t now = to_ps(sc_core::sc_time_stamp());
  // Round-robin between the two sources among heads that are ready now.
  int pick = -1;
  ps_t earliest = ~ps_t(0);
  for (uint32_t i = 0; i < 2; ++i) {
    uint32_t s = (lane.next_src + i) & 1;
    if (lane.q[s].empty()) continue;
    ps_t r = lane.q[s].front().ready_ps;
    if (r <= now) {
      pick = int(s);
      break;
    }
    if (r < earliest) earliest = r;
  }
  if (pick < 0) {
    if (earliest != ~ps_t(0) && earliest < lane.kick_at) {
      lane.kick_at = earliest;
      eq_.schedule(earliest, this, kick, nullptr, lane_idx);
    }
    return;
  }
  Entry e = lane.q[pick].front();
  lane.q[pick].pop_front();
  lane.next_src = uint32_t(pick) ^ 1u;
  lane.busy = true;
  ++busy_lanes_;
  ++frames_;
  const ps_t ser = serialization_ps(uint64_t(e.gp->get_data_length() + kEthWireOverheadBytes) * 8, gbps_);
  busy_ps_ += ser;
  sink_.on_departure(lane_idx, *e.gp);
  eq_.schedule(now + ser, this, tx_done, e.gp, lane_idx);
}

void EgressMux::on_event(uint32_t kind, void* ptr, uint64_t arg) {
  const uint32_t lane_idx = uint32_t(arg);
  Lane& lane = lanes_[lane_idx];
  if (kind == kick) {
    lane.kick_at = ~ps_t(0);
    try_start(lane_idx);
    return;
  }
  auto* gp = static_cast<tlm::tlm_generic_payload*>(ptr);
  if (sink_.transmit(lane_idx, *gp)) {
    lane.busy = false;
    --busy_lanes_;
    try_start(lane_idx);
  }
}

}  // namespace panama
