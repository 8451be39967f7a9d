#include "accelerator/egress_mux.h"

#include "protocol/packet.h"

namespace panama {

EgressMux::EgressMux(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg, const Clock& clk,
                     EventQueue& eq, EgressSink& sink)
    : sc_module(name),
      clk_(clk),
      eq_(eq),
      sink_(sink),
      cfg_(cfg),
      latency_ps_(clk.cycles(cfg.egress_latency_cycles)),
      lanes_(cfg.ports) {}

void EgressMux::enqueue(uint32_t lane, tlm::tlm_generic_payload* gp, Source src, ps_t head_ps) {
  lanes_[lane].side[src].q.push_back(Entry{gp, head_ps + latency_ps_});
  if (++queued_[src] > peak_[src]) peak_[src] = queued_[src];
  try_start(lane, src);
}

void EgressMux::resume(uint32_t lane, Source src) { finish(lane, src); }

void EgressMux::finish(uint32_t lane, Source src) {
  lanes_[lane].side[src].busy = false;
  --busy_lanes_;
  --queued_[src];
  try_start(lane, src);
}

void EgressMux::try_start(uint32_t lane_idx, Source src) {
  Side& side = lanes_[lane_idx].side[src];
  if (side.busy || side.q.empty()) return;
  const ps_t now = to_ps(sc_core::sc_time_stamp());
  const Entry e = side.q.front();
  if (e.ready_ps > now) {
    if (e.ready_ps < side.kick_at) {
      side.kick_at = e.ready_ps;
      eq_.schedule(e.ready_ps, this, kick, nullptr, (uint64_t(lane_idx) << 1) | src);
    }
    return;
  }
  side.q.pop_front();
  side.busy = true;
  ++busy_lanes_;
  ++frames_;
  // The internal bus carries the frame's bytes in beats; no preamble or gap inside the switch.
  const ps_t dur = clk_.cycles(cfg_.bus_beats(e.gp->get_data_length()));
  busy_ps_ += dur;
  sink_.on_departure(lane_idx, *e.gp);
  eq_.schedule(now + dur, this, tx_done, e.gp, (uint64_t(lane_idx) << 1) | src);
}

void EgressMux::on_event(uint32_t kind, void* ptr, uint64_t arg) {
  const uint32_t lane_idx = uint32_t(arg >> 1);
  const Source src = Source(arg & 1);
  if (kind == kick) {
    lanes_[lane_idx].side[src].kick_at = ~ps_t(0);
    try_start(lane_idx, src);
    return;
  }
  if (sink_.transmit(lane_idx, *static_cast<tlm::tlm_generic_payload*>(ptr))) finish(lane_idx, src);
}

}  // namespace panama
