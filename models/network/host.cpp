#include "network/host.h"

#include <cstddef>

namespace panama {

Host::Host(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id, uint32_t index)
    : NetNode(name, ctx, id), index_(index) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // (a class with virtual functions: GCC lays it out as declared)
  static_assert(offsetof(Host, nic_) + sizeof(nic_) - offsetof(Host, index_) <= 64,
                "the host's hot state is not one line");
#pragma GCC diagnostic pop
  set_fast_receive({&index_, &Host::prefetch_receive,
                    [](NetNode& n, uint32_t p, tlm::tlm_generic_payload& gp, uint32_t, uint32_t) {
                      static_cast<Host&>(n).receive(p, gp);  // (Host is final: no virtual call)
                    }});
}

void Host::send(tlm::tlm_generic_payload* gp) {
  const HeaderView hv(gp->get_data_ptr(), gp->get_data_length());
  uint8_t tc = kTcLossy;
  if (hv.ipv4()) {
    if (hv.dscp() == kPanamaDscp) tc = kTcLossless;
    // Pure TCP ACKs (40-byte datagrams) skip the host's own data queue, as NIC/qdisc ACK prioritisation
    // does: otherwise a host that sends and receives at once delays its peer's ACK clock behind its own
    // window. The fabric still classifies them by DSCP (lossy class).
    else if (hv.tcp_pure_ack()) tc = kTcAckNic;
  }
  if (tc != kTcLossy) return nic().enqueue(gp, tc);
  // Lossy frames go through the host's per-flow queues (fq).
  uint64_t key = 0;
  if (hv.ipv4()) key = fq_key_of(hv.dst_ip(), hv.protocol(), hv.has_ports() ? hv.src_port() : 0, hv.has_ports() ? hv.dst_port() : 0);
  enqueue_lossy(Queued{gp, nullptr, 0, 0}, key);
}

void Host::send_deferred(FrameBuilder* builder, uint64_t a, uint64_t b, uint64_t fq_key) {
  enqueue_lossy(Queued{nullptr, builder, a, b}, fq_key);
}

void Host::enqueue_lossy(const Queued& e, uint64_t key) {
  // No flow waiting and room in the NIC: the frame goes straight to the NIC, as feed_lossy() would
  // take it from its queue at once (without writing it into the queue's ring and reading it back, a
  // cold line whose read waited for the write).
  if (fq_round_.empty() && nic_lossy_ < 2) {
    ++nic_lossy_;
    nic().enqueue(e.builder ? e.builder->build_frame(e.a, e.b) : e.gp, kTcLossy);
    return;
  }
  if (key == FlatMap<uint32_t>::kEmpty) key ^= 1;  // reserved by the table; flows sharing a queue only share fairness
  bool fresh;
  const uint32_t slot = fq_slot_.emplace(key, uint32_t(fq_.size()), fresh);
  if (fresh) fq_.emplace_back();
  RingQueue<Queued>& q = fq_[slot];
  if (q.empty()) fq_round_.push_back(slot);
  q.push_back(e);
  feed_lossy();
}

void Host::feed_lossy() {
  while (nic_lossy_ < 2 && !fq_round_.empty()) {
    const uint32_t slot = fq_round_.front();
    fq_round_.pop_front();
    RingQueue<Queued>& q = fq_[slot];
    const Queued e = q.front();
    q.pop_front();
    // The queue's next entries were written when the window opened, usually long out of cache by the
    // time the NIC takes them: load the line after this one (two entries a line) a frame ahead.
    if (q.size() > 2) __builtin_prefetch(&q.at(2));
    if (!q.empty()) fq_round_.push_back(slot);
    ++nic_lossy_;
    tlm::tlm_generic_payload* gp = e.builder ? e.builder->build_frame(e.a, e.b) : e.gp;
    nic().enqueue(gp, kTcLossy);
  }
}

void Host::on_transmit(uint32_t, tlm::tlm_generic_payload&, uint8_t tc, uint32_t, uint32_t) {
  if (tc != kTcLossy) return;
  --nic_lossy_;
  feed_lossy();
}

// Stage 1: the payload's first line (receive() reads its data pointer and length; the event list loads
// it only for records without prefetch stages), the receiver object (on_packet's virtual call and its
// flow tables) and the frame's second header line (decode reads the TCP header to its end, 54 bytes
// into the frame), and the flow's lines if the flow cache knows the frame (state 1: stage 0 then has
// nothing left to load); stage 0: what the receiver looks up for the frame.
void Host::prefetch_receive(const NetNode& node, uint32_t, const tlm::tlm_generic_payload& gp, int stage, uint64_t& arg) {
  const Host& h = static_cast<const Host&>(node);
  const uint32_t len = prefetch_len(arg);
  if (stage == 1) {
    __builtin_prefetch(reinterpret_cast<const char*>(&gp) + 24);  // the payload's data pointer and length
    if (!h.receiver_) return;
    __builtin_prefetch(h.receiver_);
    __builtin_prefetch(reinterpret_cast<const char*>(h.receiver_) + 64);
    const uint8_t* frame = PacketPool::frame_bytes(gp);
    __builtin_prefetch(frame + 48);
    // The flow's lines, when the receiver's flow cache knows the frame (its addresses and ports are in
    // the frame's first header line, loaded as the record entered the window).
    const HeaderView hv(frame, len);
    if (!hv.ipv4() || !hv.ip_header_valid() || !hv.has_ports()) return;
    // What the receiver sends back: a data segment gets an ACK (the NIC's ACK class); an ACK may open
    // the window for data (the per-flow queues' line and the NIC's lossy class).
    if (h.nic_) {
      const bool pure_ack = hv.tcp_pure_ack();
      h.nic_->prefetch_enqueue(pure_ack ? kTcLossy : kTcAckNic);
      if (pure_ack) __builtin_prefetch(&h.fq_round_);
    }
    const uint64_t key = flow_key(hv.src_ip(), hv.dst_port(), hv.src_port());
    for (const FlowHint& fh : h.flow_hints_)
      if (fh.key == key) {
        const char* p = static_cast<const char*>(cookie_address(fh.cookie));
        for (size_t i = 0, n = fh.cookie & 63; i < n; ++i) __builtin_prefetch(p + 64 * i);
        set_prefetch_state(arg, 1);
        return;
      }
    return;
  }
  if (h.receiver_ && !prefetch_state(arg)) h.receiver_->prefetch_packet(PacketPool::frame_bytes(gp), len);
}

void Host::receive(uint32_t p, tlm::tlm_generic_payload& gp) {
  PfcFrame pfc;
  if (decode_pfc(gp.get_data_ptr(), gp.get_data_length(), pfc)) return port(p).apply_pfc(pfc);
  const DecodedPacket d = decode(gp.get_data_ptr(), gp.get_data_length());
  if (d.cls == PacketClass::malformed) return count_drop(d.reason);
  if (d.cls == PacketClass::non_ipv4 || d.dst_ip != ip()) {
    if (!is_multicast(d.dst_ip)) return count_drop(NetDrop::no_route);  // not for this host
  }
  ++received_;
  if (receiver_) receiver_->on_packet(*this, gp, d);
}

}  // namespace panama
