#include "network/net_node.h"

#include "network/egress_port.h"

namespace panama {

NetNode::NetNode(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id)
    : sc_module(name), tx("tx"), rx("rx"), ctx_(ctx), id_(id) {
  tx.register_nb_transport_bw(this, &NetNode::nb_bw);
  rx.register_nb_transport_fw(this, &NetNode::nb_fw);
}

NetNode::~NetNode() {
  for (auto* p : ports_) delete p;
}

uint32_t NetNode::add_port(Link* link) {
  ports_.push_back(new EgressPort(*this, uint32_t(ports_.size()), *link));
  return uint32_t(ports_.size() - 1);
}

uint64_t NetNode::rx_frames(uint32_t p) const {
  const Link& l = ports_[p]->link();
  return l.peer_of(this).port(l.peer_port_of(this)).counters.delivered_frames;
}

uint64_t NetNode::rx_bytes(uint32_t p) const {
  const Link& l = ports_[p]->link();
  return l.peer_of(this).port(l.peer_port_of(this)).counters.delivered_bytes;
}

uint64_t NetNode::net_drops_total() const {
  uint64_t t = 0;
  for (auto v : net_drops_) t += v;
  return t + drops_.total();
}

tlm::tlm_sync_enum NetNode::nb_fw(int port, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time&) {
  if (ph == tlm::BEGIN_REQ) receive(uint32_t(port), gp);
  return tlm::TLM_COMPLETED;  // links are lossless at this layer: PFC, not TLM, pushes back
}

tlm::tlm_sync_enum NetNode::nb_bw(int, tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) {
  return tlm::TLM_COMPLETED;
}

void NetNode::on_event(uint32_t kind, void* ptr, uint64_t arg) { on_node_event(kind, ptr, arg); }

}  // namespace panama
