// Link: a full-duplex cable between two node ports, with a line rate, a propagation delay and fault
// options. Serialisation happens in the sending EgressPort; the link adds the propagation delay, loses
// frames in flight when it is down, and corrupts frames with a given probability (the receiver's MAC
// would fail the FCS: the frame is dropped there and counted as `corrupted`).
#pragma once

#include "common/clock.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace panama {

class NetNode;

struct LinkParams {
  double gbps = 100.0;
  ps_t delay_ps = 1000000;           // propagation delay, ps (1 us)
  double corrupt_probability = 0.0;  // per frame
  std::vector<std::pair<ps_t, ps_t>> down;  // [from, to) windows when the link is down
};

class Link {
 public:
  // Connects a new port of `a` to a new port of `b` and binds their TLM sockets both ways.
  Link(NetNode& a, NetNode& b, const LinkParams& p);

  const LinkParams& params() const { return p_; }
  LinkParams& params() { return p_; }
  bool up(ps_t t) const {
    for (const auto& w : p_.down)
      if (t >= w.first && t < w.second) return false;
    return true;
  }
  // Next time at or after `t` when the link is up.
  ps_t next_up(ps_t t) const;

  NetNode& a() const { return *a_; }
  NetNode& b() const { return *b_; }
  uint32_t port_a() const { return port_a_; }
  uint32_t port_b() const { return port_b_; }
  // The far end of `node`'s port on this link.
  NetNode& peer_of(const NetNode* node) const { return node == a_ ? *b_ : *a_; }
  uint32_t peer_port_of(const NetNode* node) const { return node == a_ ? port_b_ : port_a_; }

 private:
  NetNode* a_;
  NetNode* b_;
  uint32_t port_a_, port_b_;
  LinkParams p_;
};

}  // namespace panama
