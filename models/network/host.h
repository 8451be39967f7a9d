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

class Host : public NetNode {
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
  HostReceiver* receiver() const { return receiver_; }
  void receive(uint32_t port, tlm::tlm_generic_payload& gp) override;
  void on_transmit(uint32_t port, tlm::tlm_generic_payload& gp, uint8_t tc, uint32_t tag, uint32_t len) override;
  const void* hot_state() const override { return &index_; }
  ReceivePrefetch receive_prefetch() const override { return &Host::prefetch_receive; }

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
  static void prefetch_receive(const NetNode& node, uint32_t port, const tlm::tlm_generic_payload& gp, uint32_t len,
                               int stage, uint32_t& state);

  // What receive() reads of the host: its address, the receiver, the count (one line, the hot state).
  uint32_t index_;
  HostReceiver* receiver_ = nullptr;
  uint64_t received_ = 0;
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
