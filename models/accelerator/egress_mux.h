// Egress mux: per output lane, arbitrates round-robin between pass-through traffic and aggregation
// output (partial sums and results) and serialises each frame at the lane's line rate, Ethernet wire
// overhead included. A frame becomes eligible `egress_latency_cycles` after its head reaches the mux.
// If the downstream block does not accept a frame at once (TLM_ACCEPTED), the lane waits for resume().
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
  // First bit of `gp` leaves lane `lane` at the current time.
  virtual void on_departure(uint32_t lane, tlm::tlm_generic_payload& gp) = 0;
  // Last bit sent: hand the frame downstream; false = not accepted yet (call EgressMux::resume later).
  virtual bool transmit(uint32_t lane, tlm::tlm_generic_payload& gp) = 0;
};

class EgressMux : public sc_core::sc_module, public EventHandler {
 public:
  enum Source : uint32_t { pass_through = 0, aggregation = 1 };

  EgressMux(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg, const Clock& clk, EventQueue& eq,
            EgressSink& sink);

  // `gp` (one reference held by the mux from here) reaches the mux at `head_ps`.
  void enqueue(uint32_t lane, tlm::tlm_generic_payload* gp, Source src, ps_t head_ps);
  void resume(uint32_t lane);

  uint32_t lanes() const { return uint32_t(lanes_.size()); }
  uint64_t frames_sent() const { return frames_; }
  uint64_t busy_ps() const { return busy_ps_; }
  int64_t busy_lanes() const { return busy_lanes_; }
  size_t queued() const;

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;

 private:
  struct Entry {
    tlm::tlm_generic_payload* gp;
    ps_t ready_ps;
  };
  struct Lane {
    std::deque<Entry> q[2];
    uint32_t next_src = 0;         // round-robin pointer
    bool busy = false;             // serialising or waiting for downstream
    ps_t kick_at = ~ps_t(0);       // pending wake-up for a not-yet-ready head
  };
  enum Kind : uint32_t { kick = 0, tx_done = 1 };
  void try_start(uint32_t lane);

  const Clock& clk_;
  EventQueue& eq_;
  EgressSink& sink_;
  double gbps_;
  ps_t latency_ps_;
  std::vector<Lane> lanes_;
  uint64_t frames_ = 0;
  uint64_t busy_ps_ = 0;
  int64_t busy_lanes_ = 0;
};

}  // namespace panama
