// PSwitch: a switch with a PANAMA aggregation accelerator as a bump in the wire, full duplex on every
// port. Frames of the PANAMA protocol (DSCP 0x38, UDP port 50000) received on port p pass through the
// accelerator (rx[p] -> accelerator -> lane p); everything else bypasses it. What the accelerator emits
// on lane p takes one of two independent directions:
//   - pass-through frames (results travelling down, traffic of trees not aggregated here) re-enter the
//     switch as received on port p and are routed as usual;
//   - aggregated packets it built (partial sums up, results down) join the switch's egress queue of
//     port p, where they share the buffer, the ECN marking and the line-rate serialiser with every
//     other frame leaving that port.
// Back-pressure, so that no queue is unbounded or hidden:
//   - when the accelerator holds a port back (TLM_ACCEPTED), later PANAMA frames from that port wait
//     in the switch, count towards the port's lossless ingress bytes (PFC pauses the sender upstream),
//     and are ECN-marked once K of them wait (the worker slows down before PFC has to act);
//   - the accelerator's aggregated output is accounted like one more ingress port (the internal
//     upstream): above XOFF the switch holds the accelerator's next frame (TLM_ACCEPTED), below XON it
//     takes the held frames, so the output never outgrows the lossless reserve.
#pragma once

#include "accelerator/accelerator.h"
#include "network/switch.h"

#include <deque>
#include <memory>

namespace panama {

class PSwitch : public Switch {
 public:
  tlm_utils::multi_passthrough_initiator_socket<PSwitch> to_accel;
  tlm_utils::multi_passthrough_target_socket<PSwitch> from_accel;

  PSwitch(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id, const SwitchConfig& cfg,
          const AcceleratorConfig& acc);

  // Builds the accelerator with one lane per switch port (call after the links exist).
  void finalize_ports() override;
  Accelerator& accelerator() { return *accel_; }
  const Accelerator& accelerator() const { return *accel_; }

  void receive(uint32_t port, tlm::tlm_generic_payload& gp) override;

  // PANAMA frames waiting for the accelerator at `port` (diagnostics and tests).
  size_t waiting(uint32_t port) const { return waiting_[port].size(); }

 protected:
  void internal_pause(bool on) override;
  uint32_t lossless_fanout() const override { return num_ports() > 1 ? num_ports() - 1 : 1; }
  uint64_t lossless_in_node_bytes() const override {
    return uint64_t(acc_cfg_.ingress_fifo_packets) * kMtuWireBytes;
  }
  bool has_internal_upstream() const override { return true; }

 private:
  tlm::tlm_sync_enum from_accel_fw(int lane, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  tlm::tlm_sync_enum to_accel_bw(int port, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  void pump(uint32_t port);

  AcceleratorConfig acc_cfg_;
  std::unique_ptr<Accelerator> accel_;
  std::vector<std::deque<tlm::tlm_generic_payload*>> waiting_;  // PANAMA frames waiting for the accelerator
  std::vector<tlm::tlm_generic_payload*> held_;                 // the frame the accelerator holds back
  // Aggregated frames the switch holds while its accelerator's output is above XOFF: (lane, frame).
  std::deque<std::pair<uint32_t, tlm::tlm_generic_payload*>> held_output_;
};

}  // namespace panama
