#include "network/link.h"

#include "network/egress_port.h"
#include "network/net_node.h"

namespace panama {

Link::Link(NetNode& a, NetNode& b, const LinkParams& p) : a_(&a), b_(&b), p_(p) {
  port_a_ = a.add_port(this);
  port_b_ = b.add_port(this);
  // Each direction: the sender's initiator socket to the receiver's target socket, whose forward
  // interface is the receiving end of the wire (kept in the sending port, where a delivery's state is).
  a.port(port_a_).wire_end().connect(b, port_b_);
  b.port(port_b_).wire_end().connect(a, port_a_);
  b.rx(port_b_).bind(a.port(port_a_).wire_end());
  a.rx(port_a_).bind(b.port(port_b_).wire_end());
  a.tx(port_a_).bind(b.rx(port_b_));
  b.tx(port_b_).bind(a.rx(port_a_));
}

ps_t Link::next_up(ps_t t) const {
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& w : p_.down)
      if (t >= w.first && t < w.second) {
        t = w.second;
        moved = true;
      }
  }
  return t;
}

}  // namespace panama
