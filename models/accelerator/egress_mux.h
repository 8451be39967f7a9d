// Egress mux: the accelerator's output into its switch, one lane per switch port, each lane full
// duplex. A lane has two independent sides, each a `datapath_bits`-wide bus clocked at the core clock:
//   - pass_through: frames that entered on the lane's port and leave unchanged (the port's receive
//     direction: ordinary PANAMA traffic and results travelling down), back into the switch's ingress;
//   - aggregation: partial sums and results this accelerator built for the lane's port (the port's
//     transmit direction), into the switch's egress queue of that port.
// So up-going partial sums and down-going results never share a serialiser, and neither is capped at
// the port rate here: the port's own egress serialises once, at line rate. A frame occupies its side
// for ceil(bytes / (datapath_bits / 8)) cycles and becomes eligible `egress_latency_cycles` after its
// head reaches the mux. If the switch does not take a frame at once (TLM_ACCEPTED: the accelerator's
// output is paused by the switch's PFC accounting), that side waits for resume().
#pragma once

#include "accelerator/accelerator_config.h"
#include "common/clock.h"
#include "common/event_queue.h"

#include <systemc>
#include <tlm>

#include <cstdint>
#include <deque>
#include <vector>

namespace panama {

class EgressSink {
 public:
  virtual ~EgressSink() = default;
  // First beat of `gp` leaves lane `lane` at the current time.
  virtual void on_departure(uint32_t lane, tlm::tlm_generic_payload& gp) = 0;
  // Last beat sent: hand the frame downstream; false = not accepted yet (call EgressMux::resume later).
  virtual bool transmit(uint32_t lane, tlm::tlm_generic_payload& gp) = 0;
};

class EgressMux : public sc_core::sc_module, public EventHandler {
 public:
  enum Source : uint32_t { pass_through = 0, aggregation = 1 };

  EgressMux(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg, const Clock& clk, EventQueue& eq,
            EgressSink& sink);

  // `gp` (one reference held by the mux from here) reaches the mux at `head_ps`.
  void enqueue(uint32_t lane, tlm::tlm_generic_payload* gp, Source src, ps_t head_ps);
  // The side `src` of `lane` may send again (its held frame was taken).
  void resume(uint32_t lane, Source src);

  uint32_t lanes() const { return uint32_t(lanes_.size()); }
  uint64_t frames_sent() const { return frames_; }
  uint64_t busy_ps() const { return busy_ps_; }
  int64_t busy_lanes() const { return busy_lanes_; }
  size_t queued() const { return queued_[0] + queued_[1]; }
  // Frames of one source waiting or on their way out (queued, serialising, or held by the switch).
  size_t queued(Source src) const { return queued_[src]; }
  size_t peak_queued(Source src) const { return peak_[src]; }

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;

 private:
  struct Entry {
    tlm::tlm_generic_payload* gp;
    ps_t ready_ps;
  };
  struct Side {
    std::deque<Entry> q;
    bool busy = false;        // serialising or waiting for the switch
    ps_t kick_at = ~ps_t(0);  // pending wake-up for a not-yet-ready head
  };
  struct Lane {
    Side side[2];
  };
  enum Kind : uint32_t { kick = 0, tx_done = 1 };
  void try_start(uint32_t lane, Source src);
  void finish(uint32_t lane, Source src);

  const Clock& clk_;
  EventQueue& eq_;
  EgressSink& sink_;
  const AcceleratorConfig& cfg_;
  ps_t latency_ps_;
  std::vector<Lane> lanes_;
  size_t queued_[2] = {0, 0}, peak_[2] = {0, 0};
  uint64_t frames_ = 0;
  uint64_t busy_ps_ = 0;
  int64_t busy_lanes_ = 0;
};

}  // namespace panama
