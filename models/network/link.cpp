#include "network/link.h"

#include "network/net_node.h"

namespace panama {

Link::Link(NetNode& a, NetNode& b, const LinkParams& p) : a_(&a), b_(&b), p_(p) {
  // Port i of a node is the i-th binding of both its sockets, so ports are added and bound together.
  port_a_ = a.add_port(this);
  port_b_ = b.add_port(this);
  a.tx.bind(b.rx);
  b.tx.bind(a.rx);
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
