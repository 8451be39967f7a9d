#include "network/net_node.h"

#include "network/egress_port.h"

namespace panama {

NetNode::NetNode(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id)
    : sc_module(name), ctx_(ctx), id_(id) {}

NetNode::~NetNode() {
  for (auto* p : ports_) delete p;
}

uint32_t NetNode::add_port(Link* link) {
  const uint32_t i = uint32_t(ports_.size());
  ports_.push_back(new EgressPort(*this, i, *link));
  // Sockets are made while the fabric is built (elaboration), outside this module's constructor, so
  // their names carry the node's: "<node>_tx<i>", "<node>_rx<i>".
  std::string base = name();
  for (char& ch : base)
    if (ch == '.') ch = '_';
  tx_.push_back(std::make_unique<tlm::tlm_initiator_socket<>>((base + "_tx" + std::to_string(i)).c_str()));
  rx_.push_back(std::make_unique<tlm::tlm_target_socket<>>((base + "_rx" + std::to_string(i)).c_str()));
  tx_.back()->bind(*this);  // the backward path: nothing comes back (nb_transport_bw above)
  return i;
}

uint64_t NetNode::rx_frames(uint32_t p) const {
  const Link& l = ports_[p]->link();
  return l.peer_of(this).port(l.peer_port_of(this)).counters().delivered_frames;
}

uint64_t NetNode::rx_bytes(uint32_t p) const {
  const Link& l = ports_[p]->link();
  return l.peer_of(this).port(l.peer_port_of(this)).counters().delivered_bytes;
}

uint64_t NetNode::net_drops_total() const {
  uint64_t t = 0;
  for (auto v : net_drops_) t += v;
  return t + drops_.total();
}

void NetNode::on_event(uint32_t kind, void* ptr, uint64_t arg) { on_node_event(kind, ptr, arg); }

}  // namespace panama
