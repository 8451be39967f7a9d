#include "network/switch.h"

#include "common/config.h"
#include "common/limits.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>

namespace panama {

void SwitchConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add(p + ".buffer_kib", &buffer_kib, "shared packet buffer, KiB", 16, 1 << 22);
  reg.add(p + ".dt_alpha", &dt_alpha, "dynamic threshold of the lossy class (queue <= alpha x free buffer)", 0.01, 64.0);
  reg.add(p + ".ecn", &ecn, "mark ECN-capable frames CE above K");
  reg.add(p + ".ecn_k_packets", &ecn_k_packets, "ECN marking threshold K, frames in the egress queue of the class", 1,
          1 << 20);
  reg.add(p + ".pfc", &pfc, "priority flow control for the lossless class");
  reg.add(p + ".pfc_xoff_kib", &pfc_xoff_kib, "PFC XOFF threshold per ingress port, KiB", 1, 1 << 20);
  reg.add(p + ".pfc_xon_kib", &pfc_xon_kib, "PFC XON threshold per ingress port, KiB", 0, 1 << 20);
  reg.add_choice(p + ".scheduler", &scheduler,
                 "egress queueing: fifo (one queue, ECN on its occupancy: sharing by congestion control), "
                 "strict or drr (per-class queues and scheduler)",
                 {"fifo", "strict", "drr"});
  reg.add(p + ".drr_quantum_bytes", &drr_quantum_bytes, "DRR quantum, bytes", 64, 1 << 20);
  reg.add(p + ".ecmp_seed", &ecmp_seed, "ECMP hash seed (mixed with the switch id)", 0, INT64_MAX);
}

void SwitchConfig::validate(const std::string& p) const {
  config_require(pfc_xon_kib < pfc_xoff_kib, p + ".pfc_xon_kib", "must be below " + p + ".pfc_xoff_kib");
  config_require(pfc_xoff_kib < buffer_kib, p + ".pfc_xoff_kib", "must be below " + p + ".buffer_kib");
}

Switch::Switch(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id, const SwitchConfig& cfg)
    : NetNode(name, ctx, id), headroom_(uint64_t(cfg.buffer_kib) * 1024), min_headroom_(headroom_), dt_alpha_(cfg.dt_alpha),
      ecn_k_(cfg.ecn_k_packets), seed_(uint32_t(cfg.ecmp_seed) * 0x9E3779B1u + id), ecn_(cfg.ecn), pfc_(cfg.pfc),
      capacity_(headroom_), xoff_bytes_(int64_t(cfg.pfc_xoff_kib) * 1024), xon_bytes_(int64_t(cfg.pfc_xon_kib) * 1024), cfg_(cfg) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // (a class with virtual functions: GCC lays it out as declared)
  static_assert(offsetof(Switch, port_k_) - offsetof(Switch, headroom_) < 64, "the forwarding state is not one line");
#pragma GCC diagnostic pop
  // (A PSwitch too: a routed frame is one its receive() would forward; other frames go to its receive().)
  set_fast_receive({&headroom_, &Switch::prefetch_receive, &Switch::receive_direct_fn});
}

void Switch::set_port_ecn_k(uint32_t port, uint32_t k) {
  if (port >= num_ports()) throw std::logic_error("Switch::set_port_ecn_k: no port " + std::to_string(port));
  // Ports added later keep the switch's K.
  port_ecn_k_.resize(std::max<size_t>(port_ecn_k_.size(), limits::kSwitchPorts), ecn_k_);
  port_ecn_k_[port] = k;
  port_k_ = true;
}

SwitchCounters Switch::counters() const {
  SwitchCounters c = c_;
  for (uint32_t p = 0; p < num_ports(); ++p) {
    c.forwarded += port(p).frames_queued();
    c.ecn_marked += port(p).counters().ecn_marked;
  }
  // (The shared part's peak plus the reserve's: exact while only one of them is used, a bound otherwise.)
  c.buffer_peak_bytes = (capacity_ - reserve_ - min_headroom_) + (reserve_ - min_reserve_free_);
  return c;
}

void Switch::finalize_ports() {
  const Scheduler s = cfg_.scheduler == "drr"      ? Scheduler::deficit_round_robin
                      : cfg_.scheduler == "strict" ? Scheduler::strict_priority
                                                   : Scheduler::fifo;
  if (num_ports() >= kInternalPort)
    throw ConfigError("invalid configuration: switch " + std::string(basename()) + " has " + std::to_string(num_ports()) +
                      " ports; at most " + std::to_string(kInternalPort - 1) + " are modelled");
  for (uint32_t p = 0; p < num_ports(); ++p) port(p).set_scheduler(s, cfg_.drr_quantum_bytes);
  ingress_.assign(num_ports() + 1, {});  // + the internal upstream
  size_lossless_reserve();
  const size_t n = num_ports();
  port_table_store_.assign(n + 7, nullptr);
  const size_t skew = (reinterpret_cast<uintptr_t>(port_table_store_.data()) / sizeof(EgressPort*)) % 8;
  EgressPort** table = port_table_store_.data() + (8 - skew) % 8;  // (vector data is 8-byte aligned)
  std::copy(port_table(), port_table() + n, table);
  port_table_ = table;
  port_table_lines_ = uint8_t(std::min<size_t>((n + 7) / 8, 255));
}

// The lossless reserve. A lossless frame that needs the reserve pauses its ingress port at once: the
// PAUSE goes out after the frame on the wire, travels one delay, the sender stops after its frame on
// the wire, and what it had sent meanwhile arrives one delay later. So per port: 2 x delay x rate + 2
// MTU frames + the PAUSE frame + the frame that dipped in, each byte counted once per egress copy it
// becomes (lossless_fanout), plus what the node holds of the port's frames outside its queues
// (lossless_in_node_bytes, counted again when they re-enter). The internal upstream (a PSwitch's
// accelerator) is held, not paused: one frame.
void Switch::size_lossless_reserve() {
  reserve_ = 0;
  if (pfc_ && (carries_lossless_ || has_internal_upstream())) {
    constexpr uint64_t mtu_wire = kMtuWireBytes;
    constexpr uint64_t pause_wire = kEthMinFrameBytes + kEthWireOverheadBytes;    // 84
    const uint64_t fan = lossless_fanout();
    for (uint32_t p = 0; p < num_ports(); ++p) {
      const LinkParams& lp = port(p).link().params();
      const uint64_t in_flight = uint64_t(std::ceil(2.0 * double(lp.delay_ps) * 1e-12 * lp.gbps * 1e9 / 8.0)) +
                                 2 * mtu_wire + pause_wire;
      reserve_ += fan * (in_flight + mtu_wire + lossless_in_node_bytes());
    }
    if (has_internal_upstream()) reserve_ += mtu_wire;
  }
  // The lossy class needs room for at least one frame per port besides the reserve.
  const uint64_t lossy_min = uint64_t(num_ports()) * kMtuFrameBytes;
  if (reserve_ + lossy_min > capacity_) {
    char msg[512];
    std::snprintf(msg, sizeof msg,
                  "invalid configuration: 'topology.switch.buffer_kib' (%llu KiB) cannot hold switch %s's lossless "
                  "PFC headroom: %u ports x %u copies x (2 x link delay x rate + 3 MTU + PAUSE%s) = %.0f KiB, plus "
                  "%.0f KiB for lossy frames; raise topology.switch.buffer_kib to at least %.0f (or shorten the links)",
                  (unsigned long long)(capacity_ / 1024), basename(), num_ports(), unsigned(lossless_fanout()),
                  lossless_in_node_bytes() ? " + accelerator FIFO" : "", double(reserve_) / 1024,
                  double(lossy_min) / 1024, std::ceil(double(reserve_ + lossy_min) / 1024));
    throw ConfigError(msg);
  }
  headroom_ = capacity_ - reserve_;
  min_headroom_ = headroom_;
  reserve_free_ = min_reserve_free_ = reserve_;
}

void Switch::set_route(uint32_t host, const std::vector<uint16_t>& ports) {
  if (ports.size() > 0xff) throw std::length_error(std::string(name()) + ": more than 255 equal-cost ports to a host");
  if (route_.size() <= host) route_.resize(host + 1, 0);
  uint32_t first = ~0u;
  for (const Group& g : groups_)
    if (g.count == ports.size() && std::equal(ports.begin(), ports.end(), group_ports_.begin() + g.first)) {
      first = g.first;
      break;
    }
  if (first == ~0u && !ports.empty()) {
    first = uint32_t(group_ports_.size());
    if (first + ports.size() > (1u << 24)) throw std::length_error(std::string(name()) + ": ECMP table full");
    groups_.push_back(Group{first, uint32_t(ports.size())});
    group_ports_.insert(group_ports_.end(), ports.begin(), ports.end());
  }
  route_[host] = ports.empty() ? 0 : (first << 8) | uint32_t(ports.size());
  route_table_ = route_.data();
  route_size_ = uint32_t(route_.size());
  group_ports_table_ = group_ports_.data();
}

void Switch::install_multicast(Ipv4Addr group, int up_port, uint64_t down_mask) {
  mcast_[group] = McastEntry{up_port, down_mask};
}

ps_t Switch::pause_duration(uint32_t p) const {
  // 0xffff quanta of 512 bit times at the port's rate.
  return serialization_ps(uint64_t(0xffff) * 512, port(p).gbps());
}

void Switch::send_pfc(uint32_t p, uint8_t tc, bool on) {
  tlm::tlm_generic_payload* gp = ctx_.pool.allocate(kEthMinFrameBytes);
  uint16_t quanta[8] = {};
  quanta[tc] = on ? 0xffff : 0;
  gp->set_data_length(uint32_t(encode_pfc(gp->get_data_ptr(), PacketPool::capacity(*gp), mac(), uint8_t(1u << tc), quanta)));
  port(p).send_control(gp);
  if (on) {
    ++c_.pause_sent;
    port(p).count_pause_sent();
    // Refresh the pause at half its lifetime for as long as the ingress stays above XON.
    ctx_.events.schedule(ctx_.now() + pause_duration(p) / 2, this, pfc_refresh, nullptr, (uint64_t(p) << 8) | tc);
  } else {
    ++c_.resume_sent;
    port(p).count_resume_sent();
  }
}

void Switch::on_node_event(uint32_t kind, void*, uint64_t arg) {
  if (kind != pfc_refresh) return;
  const uint32_t p = uint32_t(arg >> 8);
  const uint8_t tc = uint8_t(arg & 0xff);
  if (ingress_[p].xoff[tc]) send_pfc(p, tc, true);
}

bool Switch::handle_pfc(uint32_t p, tlm::tlm_generic_payload& gp) {
  PfcFrame f;
  if (!decode_pfc(gp.get_data_ptr(), gp.get_data_length(), f)) return false;
  port(p).apply_pfc(f);
  return true;
}

// Only the lossless class is counted per ingress port: PFC is its only reader.
void Switch::account_ingress(uint32_t p, uint8_t tc, int64_t bytes) {
  if (!pfc_ || tc != kTcLossless) return;
  IngressState& in = ingress_[p];
  int64_t& b = in.bytes[tc];
  b += bytes;
  if (!in.xoff[tc] && b > xoff_bytes_) {
    in.xoff[tc] = true;
    signal_pause(p, tc, true);
  } else if (in.xoff[tc] && b <= xon_bytes_ && !in.reserve_pause) {
    in.xoff[tc] = false;
    signal_pause(p, tc, false);
  }
}

void Switch::pause_for_reserve(uint32_t p) {
  IngressState& in = ingress_[p];
  if (in.reserve_pause) return;
  in.reserve_pause = true;
  ++reserve_paused_;
  if (in.xoff[kTcLossless]) return;  // already paused by XOFF
  in.xoff[kTcLossless] = true;
  signal_pause(p, kTcLossless, true);
}

// XOFF / XON towards an ingress: a PAUSE or RESUME frame out of a port, or holding / taking the
// internal upstream's output.
void Switch::signal_pause(uint32_t p, uint8_t tc, bool on) {
  if (p == internal_upstream()) internal_pause(on);
  else send_pfc(p, tc, on);
}

// The reserve is whole again: ports it paused resume unless they are above XON by their own bytes.
void Switch::resume_reserve_pauses() {
  for (uint32_t p = 0; p < ingress_.size() && reserve_paused_; ++p) {
    IngressState& in = ingress_[p];
    if (!in.reserve_pause) continue;
    in.reserve_pause = false;
    --reserve_paused_;
    if (in.xoff[kTcLossless] && in.bytes[kTcLossless] <= xon_bytes_) {
      in.xoff[kTcLossless] = false;
      signal_pause(p, kTcLossless, false);
    }
  }
}

void Switch::receive(uint32_t p, tlm::tlm_generic_payload& gp) {
  if (handle_pfc(p, gp)) return;
  forward(p, gp);
}

void Switch::forward(uint32_t in, tlm::tlm_generic_payload& gp, uint32_t known_out, uint32_t known_len) {
  const uint32_t len = known_out ? known_len : uint32_t(gp.get_data_length());
  const HeaderView hv(PacketPool::frame_bytes(gp), len);
  if (known_out) {
    // The prefetch chain found the port from these bytes after checking what the checks below check
    // first (IPv4, a valid header, unicast, not PANAMA; nothing writes a frame on the wire): only the
    // checksum is left.
#ifdef PANAMA_CHECK_INVARIANTS
    const uint32_t entry = hv.ipv4() && hv.ip_header_valid() ? route_entry(host_index(hv.dst_ip())) : 0;
    if (entry == 0 || is_multicast(hv.dst_ip()) || hv.panama() || ecmp_port(hv, entry) != known_out - 1 ||
        len != gp.get_data_length() || gp.get_data_ptr() != PacketPool::frame_bytes(gp)) {
      std::fprintf(stderr, "%s: prefetched egress port %u or length %u differs from the route lookup or payload\n",
                   name(), known_out - 1, len);
      std::abort();
    }
#endif
    if (!hv.ip_checksum_ok()) return count_drop(DropReason::ip_checksum);
    admit_and_queue(known_out - 1, &gp, hv.dscp() == kPanamaDscp ? kTcLossless : kTcLossy, in, len);
    return;
  }
  if (!hv.ipv4()) return count_drop(NetDrop::no_route);
  if (!hv.ip_header_valid()) return count_drop(DropReason::ip_header_length);
  if (!hv.ip_checksum_ok()) return count_drop(DropReason::ip_checksum);
  const uint8_t tc = hv.dscp() == kPanamaDscp ? kTcLossless : kTcLossy;
  const Ipv4Addr dst = hv.dst_ip();

  if (is_multicast(dst)) {
    auto it = mcast_.find(dst);
    if (it == mcast_.end()) return count_drop(NetDrop::no_route);
    const bool result = hv.protocol() == kIpProtoUdp && hv.panama_result();
    if (!result) {
      if (it->second.up_port < 0) return count_drop(NetDrop::no_route);
      admit_and_queue(uint32_t(it->second.up_port), &gp, tc, in, len);
      return;
    }
    // Results replicate to every downstream port but the one they came from; each copy is its own frame.
    uint64_t mask = it->second.down_mask & ~(1ull << in);
    bool first = true;
    for (uint32_t o = 0; mask; ++o, mask >>= 1) {
      if (!(mask & 1)) continue;
      tlm::tlm_generic_payload* copy = first ? &gp : clone_packet(ctx_.pool, gp);
      if (!first) ++c_.replicated;
      admit_and_queue(o, copy, tc, in, len);
      if (!first) copy->release();  // the clone's creation reference; the port holds its own
      first = false;
    }
    return;
  }

  const uint32_t entry = route_entry(host_index(dst));
  if (entry == 0) return count_drop(NetDrop::no_route);
  admit_and_queue(ecmp_port(hv, entry), &gp, tc, in, len);
}

uint32_t Switch::ecmp_port(const HeaderView& hv, uint32_t entry) const {
  const PortSet ports = ports_of(entry);
  if (ports.size() == 1) return ports.front();
  const bool ports_known = hv.has_ports();
  return ports[flow_hash(hv.src_ip(), hv.dst_ip(), hv.protocol(), ports_known ? hv.src_port() : 0,
                         ports_known ? hv.dst_port() : 0, seed_) % ports.size()];
}

// The chain forward() walks for a unicast frame: its headers (loaded when the record entered the event
// list's window), its route entry and the port table (stage 1), then the egress port's lines (stage 0).
// Only frames that both Switch::receive and PSwitch::receive hand to forward() (IPv4 unicast, not
// PANAMA) are followed. State: host + 1 after stage 1; egress port + 1 with kRouteKnown after stage 0.
void Switch::prefetch_receive(const NetNode& node, uint32_t, const tlm::tlm_generic_payload& gp, int stage, uint64_t& arg) {
  const Switch& sw = static_cast<const Switch&>(node);
  const HeaderView hv(PacketPool::frame_bytes(gp), prefetch_len(arg));
  if (stage == 1) {
    set_prefetch_state(arg, 0);
    // (PANAMA frames carry kPanamaDscp: the cheap test first.)
    const bool routable = hv.ipv4() && hv.ip_header_valid() && !is_multicast(hv.dst_ip()) &&
                          !(hv.dscp() == kPanamaDscp && hv.panama());
    const uint32_t h = routable ? host_index(hv.dst_ip()) : 0;
    if (!routable || h >= sw.route_size_) {
      __builtin_prefetch(reinterpret_cast<const char*>(&gp) + 24);  // receive() reads the data pointer and length
      return;
    }
    __builtin_prefetch(&sw.route_table_[h]);
    __builtin_prefetch(sw.group_ports_table_);
    __builtin_prefetch(sw.port_table_);  // (line-aligned: 16 ports are two lines)
    __builtin_prefetch(sw.port_table_ + 8);
    for (uint32_t i = 2; i < sw.port_table_lines_; ++i) __builtin_prefetch(sw.port_table_ + 8 * i);
    set_prefetch_state(arg, h + 1);
    return;
  }
  const uint32_t state = prefetch_state(arg);
  if (!state) return;
  uint32_t out;
  if (state & kRouteKnown) {
    out = (state & ~kRouteKnown) - 1;
  } else {
    const uint32_t entry = sw.route_entry(state - 1);
    if (entry == 0) return set_prefetch_state(arg, 0);
    out = sw.ecmp_port(hv, entry);
    set_prefetch_state(arg, (out + 1) | kRouteKnown);
  }
  sw.port_table_[out]->prefetch_enqueue(hv.dscp() == kPanamaDscp ? kTcLossless : kTcLossy);
}

void Switch::receive_direct_fn(NetNode& node, uint32_t p, tlm::tlm_generic_payload& gp, uint32_t state, uint32_t len) {
  Switch& sw = static_cast<Switch&>(node);
  if (state & kRouteKnown) return sw.forward(p, gp, state & ~kRouteKnown, len);
  sw.receive(p, gp);  // (virtual: a PSwitch's own)
}

// Returns true when queued (the port then holds a reference: the caller's original frame is acquired).
bool Switch::admit_and_queue(uint32_t out, tlm::tlm_generic_payload* gp, uint8_t tc, uint32_t in, uint32_t len) {
  EgressPort& ep = *port_table_[out];
  const uint64_t bytes = len;
  // A lossless frame the shared buffer cannot hold takes the reserve (a cold line, read for them only).
  const uint64_t from_reserve = tc == kTcLossless && bytes > headroom_ && bytes <= reserve_free_ ? bytes : 0;
  if (bytes - from_reserve > headroom_) {
    count_drop(tc == kTcLossless ? NetDrop::lossless_overflow : NetDrop::buffer_overflow);
    return false;
  }
  // (Signed conversions: one instruction each; the values are far below 2^63.)
  if (tc != kTcLossless && double(int64_t(ep.queue_bytes(tc) + bytes)) > dt_alpha_ * double(int64_t(headroom_))) {
    count_drop(NetDrop::buffer_overflow);
    return false;
  }
  uint8_t* const frame = PacketPool::frame_bytes(*gp);
  if (ecn_ && ep.marking_packets(tc) >= (port_k_ ? port_ecn_k_[out] : ecn_k_) && mark_ce(frame, len))
    ep.count_ecn_mark(tc);
  if (from_reserve) {
    reserve_free_ -= from_reserve;
    if (reserve_free_ < min_reserve_free_) min_reserve_free_ = reserve_free_;
    if (in != kInternalPort) pause_for_reserve(in);
  }
  headroom_ -= bytes - from_reserve;
  if (headroom_ < min_headroom_) min_headroom_ = headroom_;
  if (in != kInternalPort) account_ingress(in, tc, int64_t(bytes));
  gp->acquire();
  ep.enqueue(gp, tc, in, len);  // the ingress port comes back in on_transmit
  return true;
}

void Switch::on_transmit(uint32_t, tlm::tlm_generic_payload&, uint8_t tc, uint32_t in, uint32_t bytes) {
  uint64_t back = bytes;
  if (tc == kTcLossless) {  // the reserve is refilled first
    const uint64_t r = std::min<uint64_t>(bytes, reserve_ - reserve_free_);
    reserve_free_ += r;
    back -= r;
    if (reserve_paused_ && reserve_free_ == reserve_) resume_reserve_pauses();
  }
  headroom_ += back;
  if (in != kInternalPort) account_ingress(in, tc, -int64_t(bytes));
}

}  // namespace panama
