// PSwitch: a switch with a PANAMA aggregation accelerator as a bump in the wire on its ingress.
// Frames of the PANAMA protocol (DSCP 0x38, UDP port 50000) from every port pass through the
// accelerator (rx[p] -> accelerator -> lane p); everything else bypasses it. What the accelerator emits
// re-enters the switch on the lane it left on: aggregated packets (partial sums, results) go out of the
// port of that lane, as the accelerator chose; pass-through frames are routed as usual.
// When the accelerator holds a port back (TLM_ACCEPTED), later PANAMA frames from that port wait in
// the switch and count towards the port's lossless ingress bytes, so PFC pauses the sender upstream.
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

 private:
  tlm::tlm_sync_enum from_accel_fw(int lane, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  tlm::tlm_sync_enum to_accel_bw(int port, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  void pump(uint32_t port);

  AcceleratorConfig acc_cfg_;
  std::unique_ptr<Accelerator> accel_;
  std::vector<std::deque<tlm::tlm_generic_payload*>> waiting_;  // PANAMA frames waiting for the accelerator
  std::vector<tlm::tlm_generic_payload*> held_;                 // the frame the accelerator holds back
};

}  // namespace panama
