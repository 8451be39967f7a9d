#include "network/pswitch.h"

#include <algorithm>

namespace panama {

namespace {
bool is_panama(const tlm::tlm_generic_payload& gp) { return HeaderView(gp.get_data_ptr(), gp.get_data_length()).panama(); }
}  // namespace

PSwitch::PSwitch(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id, const SwitchConfig& cfg,
                 const AcceleratorConfig& acc)
    : Switch(name, ctx, id, cfg), to_accel("to_accel"), from_accel("from_accel"), acc_cfg_(acc) {
  to_accel.register_nb_transport_bw(this, &PSwitch::to_accel_bw);
  from_accel.register_nb_transport_fw(this, &PSwitch::from_accel_fw);
}

void PSwitch::finalize_ports() {
  Switch::finalize_ports();
  AcceleratorConfig a = acc_cfg_;
  a.ports = num_ports();
  double rate = 0;
  for (uint32_t p = 0; p < num_ports(); ++p) rate = std::max(rate, port(p).gbps());
  a.port_gbps = rate;  // each egress lane feeds the switch at the fastest port's rate
  // Built after the switch's constructor (the port count is known only now), so it cannot be a child in
  // the SystemC hierarchy; its name carries the switch's: fabric.s3_accelerator.
  accel_ = std::make_unique<Accelerator>((std::string(basename()) + "_accelerator").c_str(), a, ctx_.pool);
  for (uint32_t p = 0; p < num_ports(); ++p) {
    to_accel.bind(accel_->rx);
    accel_->tx.bind(from_accel);
  }
  waiting_.assign(num_ports(), {});
  held_.assign(num_ports(), nullptr);
}

void PSwitch::receive(uint32_t p, tlm::tlm_generic_payload& gp) {
  if (handle_pfc(p, gp)) return;
  if (!is_panama(gp)) return forward(p, gp);  // bypasses the accelerator
  // A backlog in front of the accelerator is a queue like any other: CE once K frames wait, so the
  // workers' windows react to an accelerator slower than the line (a narrow datapath, a slow clock).
  const SwitchConfig& c = config();
  if (c.ecn && waiting_[p].size() + (held_[p] ? 1 : 0) >= ecn_k(p) &&
      mark_ce(gp.get_data_ptr(), gp.get_data_length()))
    count_internal_ecn_mark();
  gp.acquire();
  waiting_[p].push_back(&gp);
  account_ingress(p, kTcLossless, int64_t(gp.get_data_length()));
  pump(p);
}

void PSwitch::pump(uint32_t p) {
  while (!held_[p] && !waiting_[p].empty()) {
    tlm::tlm_generic_payload* gp = waiting_[p].front();
    waiting_[p].pop_front();
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    if (to_accel[int(p)]->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED) {
      held_[p] = gp;  // still counted in the ingress bytes until the accelerator takes it
      return;
    }
    account_ingress(p, kTcLossless, -int64_t(gp->get_data_length()));
    gp->release();
  }
}

tlm::tlm_sync_enum PSwitch::to_accel_bw(int p, tlm::tlm_generic_payload&, tlm::tlm_phase& ph, sc_core::sc_time&) {
  if (ph == tlm::BEGIN_RESP && held_[size_t(p)]) {
    tlm::tlm_generic_payload* gp = held_[size_t(p)];
    held_[size_t(p)] = nullptr;
    account_ingress(uint32_t(p), kTcLossless, -int64_t(gp->get_data_length()));
    gp->release();
    pump(uint32_t(p));
  }
  return tlm::TLM_COMPLETED;
}

tlm::tlm_sync_enum PSwitch::from_accel_fw(int lane, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph,
                                          sc_core::sc_time&) {
  if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
  PacketMeta& m = meta(gp);
  if (m.from_accelerator) {
    // The accelerator chose this lane's port: up to the parent, or one copy per child at the root.
    if (internal_paused()) {
      held_output_.emplace_back(uint32_t(lane), &gp);  // the accelerator keeps its reference until BEGIN_RESP
      return tlm::TLM_ACCEPTED;
    }
    m.from_accelerator = false;
    admit_and_queue(uint32_t(lane), &gp, kTcLossless, internal_upstream(), uint32_t(gp.get_data_length()));
  } else {
    forward(uint32_t(lane), gp);
  }
  return tlm::TLM_COMPLETED;
}

void PSwitch::internal_pause(bool on) {
  if (on) return;  // frames arriving from now on are held in from_accel_fw
  while (!held_output_.empty() && !internal_paused()) {
    auto [lane, gp] = held_output_.front();
    held_output_.pop_front();
    meta(*gp).from_accelerator = false;
    admit_and_queue(lane, gp, kTcLossless, internal_upstream(), uint32_t(gp->get_data_length()));
    tlm::tlm_phase ph = tlm::BEGIN_RESP;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    from_accel[int(lane)]->nb_transport_bw(*gp, ph, d);  // the accelerator releases it and sends on
  }
}

}  // namespace panama
