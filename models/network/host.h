// Host: a server with one NIC port. The NIC keeps an egress queue per traffic class (host memory: not
// bounded), obeys PFC PAUSE from its ToR, and hands every received IPv4 frame, validated by the packet
// decoder, to the transport stack registered with it.
#pragma once

#include "network/egress_port.h"
#include "network/net_node.h"
#include "common/flat_map.h"
#include "common/ring_queue.h"
#include "protocol/packet.h"

#include <vector>

namespace panama {

class Host;

class HostReceiver {
 public:
  virtual ~HostReceiver() = default;
  // `gp` is valid during the call only (acquire it to keep it).
  virtual void on_packet(Host& host, tlm::tlm_generic_payload& gp, const DecodedPacket& d) = 0;
  // Loads ahead what on_packet will read for this frame (called once, about a record before it, with
  // the event list's lookahead: EventHandler::prefetch_event). Only loads.
  virtual void prefetch_packet(const uint8_t* frame, size_t len) const {
    (void)frame;
    (void)len;
  }
};

// Builds a frame the host queued earlier, when the NIC takes it (see Host::send_deferred).
class FrameBuilder {
 public:
  virtual ~FrameBuilder() = default;
  virtual tlm::tlm_generic_payload* build_frame(uint64_t a, uint64_t b) = 0;
};

class Host final : public NetNode {  // (final: its FastReceive calls Host::receive directly)
 public:
  Host(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id, uint32_t index);

  uint32_t index() const { return index_; }
  Ipv4Addr ip() const { return host_ip(index_); }
  // Sends a frame (takes the caller's reference). Its class follows its DSCP.
  void send(tlm::tlm_generic_payload* gp);
  // Queues a lossy-class frame of the flow `fq_key` (fq_key_of its 5-tuple) that `builder` builds from
  // (a, b) when the NIC takes it. For frames whose bytes are fully determined when queued (a TCP
  // segment): the wire carries the same frame as with send(), but the frames of whole windows waiting in
  // host queues take no packet memory (in a 1024-host fabric about half of all live frames).
  void send_deferred(FrameBuilder* builder, uint64_t a, uint64_t b, uint64_t fq_key);
  // The per-flow queue key of a 5-tuple (destination, protocol, ports).
  static uint64_t fq_key_of(Ipv4Addr dst, uint8_t proto, uint16_t sport, uint16_t dport) {
    return (uint64_t(dst) << 32) ^ (uint64_t(proto) << 48) ^ (uint64_t(sport) << 16) ^ dport;
  }
  void set_receiver(HostReceiver* r) { receiver_ = r; }

  // The receiver's flow cache, two entries in the host's hot line (as a NIC's flow-steering table):
  // the key of a frame's (source IP, destination port, source port) and a cookie the receiver chose,
  // the 64-byte aligned address of the first line of state it reads for such a frame OR'ed with the
  // number of lines (1-63). Host::prefetch_receive matches a frame against both entries a stage before
  // the receiver's own prefetch runs and loads those lines; the receiver reads the cookie back in
  // on_packet. The receiver fills and clears the entries (flow_hint()).
  static constexpr size_t kFlowHints = 2;
  struct FlowHint {
    uint64_t key = ~uint64_t(0);  // no frame has this key (its ports would be 0xffff both)
    uintptr_t cookie = 0;
  };
  static uint64_t flow_key(Ipv4Addr src_ip, uint16_t dst_port, uint16_t src_port) {
    return (uint64_t(src_ip) << 32) | (uint64_t(dst_port) << 16) | src_port;
  }
  static uintptr_t make_cookie(const void* first_line, size_t lines) {
    return reinterpret_cast<uintptr_t>(first_line) | lines;
  }
  static void* cookie_address(uintptr_t cookie) { return reinterpret_cast<void*>(cookie & ~uintptr_t(63)); }
  FlowHint& flow_hint(size_t i) { return flow_hints_[i]; }
  const FlowHint& flow_hint(size_t i) const { return flow_hints_[i]; }
  HostReceiver* receiver() const { return receiver_; }
  void receive(uint32_t port, tlm::tlm_generic_payload& gp) override;
  void on_transmit(uint32_t port, tlm::tlm_generic_payload& gp, uint8_t tc, uint32_t tag, uint32_t len) override;

  uint64_t nic_queue_bytes() const { return num_ports() ? port(0).total_bytes() : 0; }
  uint64_t frames_received() const { return received_; }
  // Frames waiting in the per-flow queues above the NIC.
  uint64_t fq_frames() const {
    uint64_t n = 0;
    for (const auto& q : fq_) n += q.size();
    return n;
  }

 private:
  void feed_lossy();
  // The NIC's port (the host's one port), from the hot line: sending a frame reads neither the node's
  // port table nor its line. (Set at the first send: ports are added while the fabric is built.)
  EgressPort& nic() {
    if (__builtin_expect(!nic_, 0)) nic_ = &port(0);
    return *nic_;
  }
  static void prefetch_receive(const NetNode& node, uint32_t port, const tlm::tlm_generic_payload& gp, int stage,
                               uint64_t& arg);

  // What receive() reads of the host: its address, the receiver, the count, the receiver's flow cache,
  // and the NIC port a reply goes out on (one line, the hot state, which a delivery's record loads as it
  // enters the event list's window).
  alignas(64) uint32_t index_;
  HostReceiver* receiver_ = nullptr;
  uint64_t received_ = 0;
  FlowHint flow_hints_[kFlowHints];
  EgressPort* nic_ = nullptr;
  // Per-flow fair queueing above the NIC for the lossy class (as Linux's fq qdisc): each flow (5-tuple)
  // has its own FIFO, served round robin, and the NIC's lossy FIFO holds at most two frames. Without it a
  // large flow's window waits in the NIC's FIFO and every short flow of the host waits behind it.
  struct Queued {  // a built frame (gp), or one `builder` builds from (a, b)
    tlm::tlm_generic_payload* gp;
    FrameBuilder* builder;
    uint64_t a, b;
  };
  void enqueue_lossy(const Queued& q, uint64_t key);
  FlatMap<uint32_t> fq_slot_;  // flow key -> its queue in fq_
  std::vector<RingQueue<Queued>> fq_;
  RingQueue<uint32_t> fq_round_;
  uint32_t nic_lossy_ = 0;
};

}  // namespace panama
