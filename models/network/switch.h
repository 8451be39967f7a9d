// Switch: an output-queued shared-buffer switch (Tomahawk-class abstraction).
// - Shared buffer with a per-queue dynamic threshold for the lossy class (queue <= alpha x free buffer).
// - Two traffic classes in use: lossless (aggregation, DSCP 0x38, PFC-protected) and lossy (ECN).
// - ECN: CE on arrival when the egress queue of the frame's class already holds >= K frames and the
//   frame is ECN-capable (DCTCP's instantaneous-queue marking).
// - PFC (802.1Qbb): per ingress port, bytes of the lossless class buffered from that port; above XOFF a
//   PAUSE frame goes upstream (refreshed before it expires), below XON a RESUME.
// - ECMP: unicast by 5-tuple hash over the equal-cost ports to the destination host.
// - IP multicast: per group an upstream port (towards the tree root) and a set of downstream ports;
//   PANAMA results (result flag) go down, contributions and partial sums go up.
// - Scheduling between classes: fifo (the default: one logical queue per egress, ECN on its whole
//   occupancy, so aggregation and TCP share by congestion control, PANAMA's R3), strict priority or
//   deficit round robin (per-class queues and ECN, for exploration).
// - Lossless headroom: with PFC on in a fabric that carries lossless traffic, the lossless class has a
//   reserve the lossy class cannot take, sized from the ports' rates and delays so that what still
//   arrives after a PAUSE always fits (lossless_reserve_bytes()). Lossless frames use the shared buffer
//   first; one that has to dip into the reserve pauses its ingress port at once (as XOFF does), and
//   ports paused that way resume when the reserve is whole again. A buffer too small for the reserve
//   is refused when the fabric is built.
// Drops are counted by reason; a lossless-class drop is `lossless_overflow` and must never happen.
#pragma once

#include "network/egress_port.h"
#include "network/net_node.h"

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

namespace panama {

class ConfigRegistry;

struct SwitchConfig {
  uint32_t buffer_kib = 16384;        // shared packet buffer
  double dt_alpha = 1.0;              // dynamic threshold of the lossy class
  bool ecn = true;
  uint32_t ecn_k_packets = 65;        // DCTCP K (65 packets at 10 Gbps in the DCTCP paper)
  bool pfc = true;
  // PFC thresholds sit above the ECN threshold (K frames of ~1.5 KB), so that ECN slows senders
  // before PAUSE stops them (PANAMA reacts to ECN; PFC is the lossless backstop).
  uint32_t pfc_xoff_kib = 256;        // per ingress port, lossless class
  uint32_t pfc_xon_kib = 128;
  // fifo by default: PANAMA shares links with other traffic through its congestion control, not a
  // weighted scheduler (R3); strict priority and DRR are kept for exploration.
  std::string scheduler = "fifo";     // fifo | strict | drr
  uint32_t drr_quantum_bytes = kMtuWireBytes;
  int64_t ecmp_seed = 1;

  void register_params(ConfigRegistry& reg, const std::string& prefix);
  void validate(const std::string& prefix) const;
};

struct SwitchCounters {
  uint64_t forwarded = 0, replicated = 0, ecn_marked = 0, pause_sent = 0, resume_sent = 0;
  uint64_t buffer_peak_bytes = 0;
};

class Switch : public NetNode {
 public:
  Switch(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id, const SwitchConfig& cfg);

  // Routing tables (built by the topology, installed by the controller).
  void set_route(uint32_t host, const std::vector<uint16_t>& ports);
  struct PortSet {  // the equal-cost ports towards a host
    const uint16_t* first;
    size_t n;
    bool empty() const { return n == 0; }
    size_t size() const { return n; }
    uint16_t front() const { return first[0]; }
    uint16_t operator[](size_t i) const { return first[i]; }
    const uint16_t* begin() const { return first; }
    const uint16_t* end() const { return first + n; }
  };
  PortSet route(uint32_t host) const { return ports_of(route_entry(host)); }
  void install_multicast(Ipv4Addr group, int up_port, uint64_t down_mask);
  void remove_multicast(Ipv4Addr group) { mcast_.erase(group); }

  // The ECN threshold K of egress port `port`, frames, instead of SwitchConfig::ecn_k_packets (a custom
  // topology's per-link ecn_k; call after the port exists).
  void set_port_ecn_k(uint32_t port, uint32_t k);
  uint32_t ecn_k(uint32_t port) const { return port_k_ && port < port_ecn_k_.size() ? port_ecn_k_[port] : ecn_k_; }

  // Applies the scheduler to every port (call after the links exist).
  virtual void finalize_ports();

  void receive(uint32_t port, tlm::tlm_generic_payload& gp) override;
  void on_transmit(uint32_t port, tlm::tlm_generic_payload& gp, uint8_t tc, uint32_t in_port, uint32_t len) override;

  const SwitchConfig& config() const { return cfg_; }
  // The switch's counters (a snapshot: frames admitted and ECN marks are counted by the egress ports,
  // in lines queueing a frame touches anyway, and summed here).
  SwitchCounters counters() const;
  uint64_t buffer_used() const { return capacity_ - headroom_ - reserve_free_; }
  // The buffer kept for the lossless class (0 without PFC): see the header comment.
  uint64_t lossless_reserve_bytes() const { return reserve_; }
  // The fabric carries lossless (aggregation) traffic: size the reserve (call before finalize_ports;
  // a PSwitch always does).
  void set_carries_lossless(bool on) { carries_lossless_ = on; }

 protected:
  // Routes and queues a frame that entered on `port` (after any PSwitch accelerator). `known_out`: its
  // unicast egress port + 1, found by the prefetch chain from the same headers and tables, and then
  // `len` its length (0: unknown; the payload's data length is read).
  void forward(uint32_t port, tlm::tlm_generic_payload& gp, uint32_t known_out = 0, uint32_t len = 0);
  void on_node_event(uint32_t kind, void* ptr, uint64_t arg) override;
  bool handle_pfc(uint32_t port, tlm::tlm_generic_payload& gp);
  void account_ingress(uint32_t port, uint8_t tc, int64_t bytes);
  // `in_port` = kInternalPort for frames that did not enter through a port (no PFC ingress accounting).
  // `len`: the frame's length (its data length). The frame's bytes are read at PacketPool::frame_bytes,
  // so that queueing reads neither line of the payload object but the one holding the headers.
  bool admit_and_queue(uint32_t out, tlm::tlm_generic_payload* gp, uint8_t tc, uint32_t in_port, uint32_t len);
  static constexpr uint32_t kInternalPort = 0xffffu;  // (egress queue tags are 16 bits)
  static constexpr uint32_t kRouteKnown = 0x80000000u;  // prefetch state: an egress port, not a host
  enum SwitchKind : uint32_t { pfc_refresh = node_kind_base };
  // The internal upstream (a PSwitch's accelerator), accounted like an ingress port for PFC: its index
  // in the ingress accounting is num_ports(). XOFF/XON on it call internal_pause() instead of sending
  // a PAUSE frame.
  uint32_t internal_upstream() const { return num_ports(); }
  virtual void internal_pause(bool /*on*/) {}
  bool internal_paused() const { return ingress_.size() > num_ports() && ingress_[num_ports()].xoff[kTcLossless]; }
  // How many egress copies one lossless frame from a port can become (multicast results: a PSwitch's
  // down ports), and the lossless bytes a port may hold inside the node besides the queues (a
  // PSwitch's accelerator FIFOs): both size the lossless reserve.
  virtual uint32_t lossless_fanout() const { return 1; }
  virtual uint64_t lossless_in_node_bytes() const { return 0; }
  virtual bool has_internal_upstream() const { return false; }
  void count_internal_ecn_mark() { ++c_.ecn_marked; }  // a mark set outside the egress queues
  // Sets CE on an ECN-capable frame that is not marked yet (the IPv4 checksum follows); true if it did.
  static bool mark_ce(uint8_t* frame, uint32_t len) {
    const uint8_t ecn = HeaderView(frame, len).ecn();
    if (ecn == kEcnNotEct || ecn == kEcnCe) return false;
    set_ecn(frame, kEcnCe);
    return true;
  }

 private:
  void send_pfc(uint32_t port, uint8_t tc, bool pause);
  static void receive_direct_fn(NetNode& node, uint32_t port, tlm::tlm_generic_payload& gp, uint32_t state, uint32_t len);
  static void prefetch_receive(const NetNode& node, uint32_t port, const tlm::tlm_generic_payload& gp, int stage,
                               uint64_t& arg);
  // A host's route entry (0: no route), and the equal-cost ports an entry names.
  uint32_t route_entry(uint32_t host) const { return host < route_size_ ? route_table_[host] : 0; }
  PortSet ports_of(uint32_t entry) const { return PortSet{group_ports_table_ + (entry >> 8), entry & 0xffu}; }
  // The port of route entry `entry` (nonzero) for the frame's 5-tuple (ECMP).
  uint32_t ecmp_port(const HeaderView& hv, uint32_t entry) const;
  ps_t pause_duration(uint32_t port) const;

  // What forwarding reads and writes on every frame, in one cache line (the line a delivery's hint
  // loads a few records ahead): the free buffer and its low-water mark (the peak use), the dynamic
  // threshold, ECN, the ECMP seed, and copies of the tables' base pointers (refreshed whenever the
  // tables change), so that routing and admitting a frame touch no other line of the switch.
  alignas(64) uint64_t headroom_;      // free shared buffer: capacity - bytes queued
  uint64_t min_headroom_;              // its lowest value so far (peak use = capacity - this)
  double dt_alpha_;
  const uint32_t* route_table_ = nullptr;        // route_.data()
  const uint16_t* group_ports_table_ = nullptr;  // group_ports_.data()
  EgressPort* const* port_table_ = nullptr;      // the node's ports, line-aligned (set by finalize_ports)
  uint32_t route_size_ = 0;
  uint32_t ecn_k_;
  uint32_t seed_;
  bool ecn_, pfc_;
  uint8_t port_table_lines_ = 0;  // cache lines port_table_ spans (eight ports a line)
  bool port_k_ = false;           // some port has its own ECN threshold (port_ecn_k_)
  uint64_t capacity_;                // shared buffer, bytes
  int64_t xoff_bytes_, xon_bytes_;  // PFC thresholds per ingress port
  // Lossless reserve (see the header): its size and what of it is free. A lossless frame the shared
  // part cannot hold takes from it; lossless departures refill it first. headroom_ is the free part of
  // the rest of the buffer, shared by both classes.
  uint64_t reserve_ = 0, reserve_free_ = 0, min_reserve_free_ = 0;
  void size_lossless_reserve();
  // Unicast routes: host -> its equal-cost ports, a run of group_ports_ packed as first << 8 | count
  // (0: no route). Hosts with the same ports share a run (groups_, used while building).
  struct Group {
    uint32_t first = 0, count = 0;
  };
  std::vector<uint32_t> route_;
  std::vector<Group> groups_;
  std::vector<uint16_t> group_ports_;
  struct IngressState {  // per ingress port: lossless bytes buffered from it, PAUSE sent
    std::array<int64_t, kNumTc> bytes{};
    std::array<bool, kNumTc> xoff{};
    bool reserve_pause = false;  // paused because a frame from it dipped into the reserve
  };
  void pause_for_reserve(uint32_t port);
  void signal_pause(uint32_t port, uint8_t tc, bool on);
  void resume_reserve_pauses();
  uint32_t reserve_paused_ = 0;  // ports paused that way
  bool carries_lossless_ = false;
  std::vector<IngressState> ingress_;
  // The node's port pointers again, from a 64-byte boundary (port_table_ points into it): the prefetch
  // chain loads the table's lines before the route picks a port, and a table that starts mid-line
  // spans one line more than its size (16 ports of a k = 16 switch: three lines, of which two were
  // loaded, so a frame for a port in the third waited for it).
  std::vector<EgressPort*> port_table_store_;
  std::vector<uint32_t> port_ecn_k_;  // per egress port (set_port_ecn_k); read only when port_k_
  SwitchConfig cfg_;
  struct McastEntry {
    int up_port;
    uint64_t down_mask;
  };
  std::unordered_map<Ipv4Addr, McastEntry> mcast_;
  SwitchCounters c_;
};

}  // namespace panama
