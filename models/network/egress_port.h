// The transmit side of a node port: one FIFO per traffic class, a scheduler between classes (strict
// priority or deficit round robin), per-class PFC pause state, and the serialiser. A frame takes
// (frame + 24 B preamble/FCS/IFG) x 8 / rate on the wire and arrives at the far end one propagation
// delay after its last bit. Control frames (PFC) go next, ahead of every queue.
#pragma once

#include "common/clock.h"
#include "network/link.h"
#include "network/net_node.h"

#include <tlm>

#include <array>
#include <cstdint>
#include "common/ring_queue.h"

namespace panama {

enum class Scheduler : uint8_t { strict_priority, deficit_round_robin };

class EgressPort {
 public:
  EgressPort(NetNode& owner, uint32_t index, Link& link);

  void set_scheduler(Scheduler s, uint32_t quantum_bytes) {
    sched_ = s;
    quantum_ = quantum_bytes;
  }
  // Queue a frame of class `tc`; the port holds the caller's reference from here.
  void enqueue(tlm::tlm_generic_payload* gp, uint8_t tc);
  // A control frame (PFC) goes out next, after the frame on the wire.
  void send_control(tlm::tlm_generic_payload* gp);
  // PFC: stop (or resume) starting frames of class `tc`; `until` bounds a pause (quanta expiry).
  void pause(uint8_t tc, ps_t until);
  void resume(uint8_t tc);
  // A PFC frame received from the far end: pause (for its quanta) or resume each class it names.
  void apply_pfc(const PfcFrame& f);
  bool paused(uint8_t tc) const { return paused_until_[tc] > owner_.ctx().now(); }

  uint64_t queue_bytes(uint8_t tc) const { return qbytes_[tc]; }
  uint64_t queue_packets(uint8_t tc) const { return q_[tc].size(); }
  uint64_t total_bytes() const { return total_bytes_; }
  double gbps() const { return link_.params().gbps; }
  Link& link() const { return link_; }
  PortCounters counters;

  // Event hooks (called by NetNode::on_event).
  void on_tx_done(tlm::tlm_generic_payload* gp);
  void on_deliver();
  void kick() { try_start(); }

 private:
  void try_start();
  int pick();
  void deliver_one(tlm::tlm_generic_payload* gp);

  NetNode& owner_;
  uint32_t index_;
  Link& link_;
  std::array<RingQueue<tlm::tlm_generic_payload*>, kNumTc> q_;
  uint8_t nonempty_ = 0;  // bit c set: class c has frames (the scheduler reads one byte, not eight queues)
  std::array<uint64_t, kNumTc> qbytes_{};
  std::array<ps_t, kNumTc> paused_until_{};
  std::array<int64_t, kNumTc> deficit_{};
  RingQueue<tlm::tlm_generic_payload*> control_;
  // Frames on the wire, in order of arrival at the far end. The propagation delay is constant, so only
  // the head needs an event: the event list holds O(links) records, not O(frames in flight).
  RingQueue<std::pair<ps_t, tlm::tlm_generic_payload*>> flight_;
  bool deliver_pending_ = false;
  uint64_t total_bytes_ = 0;
  Scheduler sched_ = Scheduler::strict_priority;
  uint32_t quantum_ = 1538;
  uint8_t drr_next_ = 0;
  bool drr_credited_ = false;  // the current class got this visit's quantum
  bool busy_ = false;
  bool retry_pending_ = false;
  ps_t wake_at_ = ~ps_t(0);  // pending wake-up for the end of a pause
};

}  // namespace panama
