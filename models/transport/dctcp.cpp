#include "transport/dctcp.h"

#include "common/config.h"
#include "network/topology.h"

#include <algorithm>
#include <cstddef>
#include <cmath>
#include <stdexcept>

namespace panama {

void DctcpConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add(p + ".mss", &mss, "maximum segment size, payload bytes (1460: 1500-byte IP packets)", 64, 8960);
  reg.add(p + ".init_cwnd", &init_cwnd, "initial congestion window, segments", 1, 1 << 16);
  reg.add(p + ".max_cwnd", &max_cwnd, "congestion window cap, segments", 1, 1 << 24);
  reg.add(p + ".g", &g, "DCTCP alpha gain g", 0.0, 1.0);
  reg.add(p + ".alpha_init", &alpha_init, "DCTCP alpha before the first estimate", 0.0, 1.0);
  reg.add(p + ".ecn", &ecn, "send ECN-capable data and apply the DCTCP window cut (false: loss-based only)");
  reg.add(p + ".min_rto_us", &min_rto_us, "minimum retransmission timeout, us", 1.0, 1e7);
  reg.add(p + ".max_rto_us", &max_rto_us, "maximum retransmission timeout after backoff, us", 1.0, 1e8);
  reg.add(p + ".dupack_threshold", &dupack_threshold, "duplicate ACKs that trigger fast retransmit", 1, 1000);
  reg.add(p + ".delayed_ack", &delayed_ack, "receiver ACKs every delayed_ack_segments segments (DCTCP CE rule)");
  reg.add(p + ".delayed_ack_segments", &delayed_ack_segments, "segments per delayed ACK", 1, 64);
  reg.add(p + ".delayed_ack_timeout_us", &delayed_ack_timeout_us, "delayed ACK timer, us", 0.001, 1e6);
}

void DctcpConfig::validate(const std::string& p) const {
  config_require(min_rto_us <= max_rto_us, p + ".min_rto_us", "must not exceed " + p + ".max_rto_us");
  config_require(init_cwnd <= max_cwnd, p + ".init_cwnd", "must not exceed " + p + ".max_cwnd");
}

nlohmann::json FlowRecord::to_json() const {
  return nlohmann::json{{"id", id},
                        {"tag", tag},
                        {"src", src},
                        {"dst", dst},
                        {"bytes", bytes},
                        {"start_ps", start_ps},
                        {"finish_ps", finish_ps},
                        {"fct_ps", fct_ps()},
                        {"done", done},
                        {"segments_sent", segments_sent},
                        {"retransmits", retransmits},
                        {"fast_retransmits", fast_retransmits},
                        {"timeouts", timeouts},
                        {"ece_acks", ece_acks},
                        {"cwnd_cuts", cwnd_cuts}};
}

// ---------------------------------------------------------------------------------------------------------
// DctcpStack

DctcpStack::DctcpStack(DctcpTransport& t, Host& host) : t_(t), host_(host) {
  host.set_receiver(this);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // (a class with virtual functions: GCC lays it out as declared)
  static_assert(offsetof(DctcpStack, c_) + sizeof(DctcpStackCounters) <= 64,
                "what on_packet reads for every segment spills out of the stack's first line");
#pragma GCC diagnostic pop
}

DctcpStack::~DctcpStack() {
  for (size_t i = 0; i < Host::kFlowHints; ++i) host_.flow_hint(i) = Host::FlowHint{};
}

uint16_t DctcpStack::allocate_port(Ipv4Addr remote) {
  // Client ports cycle through [10000, 65535]; a port still in use towards the same remote is skipped.
  for (uint32_t n = 0; n < 55536; ++n) {
    const uint16_t p = next_port_;
    next_port_ = next_port_ == 65535 ? 10000 : uint16_t(next_port_ + 1);
    if (!senders_.contains(key(remote, p, kServerPort))) return p;
  }
  throw std::runtime_error(std::string(host_.name()) + ": no free TCP port towards one destination");
}

DctcpFlow* DctcpStack::lookup(FlatMap<DctcpFlow*>& table, size_t hint, uint64_t k) {
  Host::FlowHint& fh = host_.flow_hint(hint);
  if (fh.key == k) {
    char* a = static_cast<char*>(Host::cookie_address(fh.cookie));
    return reinterpret_cast<DctcpFlow*>(hint == kHintData ? a : a - 64 * DctcpFlow::kReceiverLines);
  }
  DctcpFlow* const* f = table.find(k);
  if (!f) return nullptr;
  fh.key = k;
  fh.cookie = hint == kHintData ? Host::make_cookie(*f, DctcpFlow::kReceiverLines)
                                : Host::make_cookie(&(*f)->rec, DctcpFlow::kSenderLines);
  return *f;
}

void DctcpStack::forget(FlatMap<DctcpFlow*>& table, size_t hint, uint64_t k) {
  table.erase(k);
  Host::FlowHint& fh = host_.flow_hint(hint);
  if (fh.key == k) fh = Host::FlowHint{};
}

// What on_packet reads first when the host's flow cache does not know the frame (Host::prefetch_receive
// calls this only then; on a match it has loaded the flow's lines itself): the flow-table slot where the
// lookup starts.
void DctcpStack::prefetch_packet(const uint8_t* frame, size_t len) const {
  const HeaderView hv(frame, len);
  if (!hv.ipv4() || !hv.ip_header_valid() || hv.protocol() != kIpProtoTcp || !hv.has_ports()) return;
  const uint16_t dport = hv.dst_port();
  (dport == kServerPort ? receivers_ : senders_).prefetch(key(hv.src_ip(), dport, hv.src_port()));
}

void DctcpStack::on_packet(Host& host, tlm::tlm_generic_payload& gp, const DecodedPacket& d) {
  if (d.ip_proto != kIpProtoTcp) {
    if (fallback_) fallback_->on_packet(host, gp, d);
    return;
  }
  const uint64_t k = key(d.src_ip, d.tcp.dst_port, d.tcp.src_port);
  if (d.tcp.dst_port == kServerPort) {  // data for a flow this host receives
    ++c_.data_received;
    DctcpFlow* f = lookup(receivers_, kHintData, k);
    if (!f) {
      ++c_.stray;
      return;
    }
    t_.on_data(*f, d);
  } else {  // ACK for a flow this host sends
    ++c_.acks_received;
    DctcpFlow* f = lookup(senders_, kHintAck, k);
    if (!f) {
      ++c_.stray;
      return;
    }
    t_.on_ack(*f, d);
  }
}

// The lines the host loads for a known flow (kReceiverLines, kSenderLines) hold what each side reads.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // (std::map inside: GCC lays the struct out as declared)
static_assert(offsetof(DctcpFlow, ce_state) < 64 * DctcpFlow::kReceiverLines, "receiver fields beyond its lines");
static_assert(offsetof(DctcpFlow, rec) == 64 * DctcpFlow::kReceiverLines, "sender lines start with the record");
static_assert(offsetof(DctcpFlow, rto_event_pending) < 64 * (DctcpFlow::kReceiverLines + DctcpFlow::kSenderLines),
              "sender fields beyond its lines");
#pragma GCC diagnostic pop

// ---------------------------------------------------------------------------------------------------------
// DctcpTransport

DctcpTransport::DctcpTransport(Fabric& fabric, const DctcpConfig& cfg, const std::vector<uint32_t>& hosts)
    : fabric_(fabric), cfg_(cfg), min_rto_ps_(ps_t(cfg.min_rto_us * 1e6)), max_rto_ps_(ps_t(cfg.max_rto_us * 1e6)),
      delack_ps_(ps_t(cfg.delayed_ack_timeout_us * 1e6)) {
  cfg_.validate();
  law_ = DctcpLaw{cfg_.g, double(cfg_.mss), 2.0 * cfg_.mss, cfg_.ecn};
  stacks_.resize(fabric.hosts.size());
  if (hosts.empty()) {
    for (auto& h : fabric.hosts) stacks_[h->index()] = std::make_unique<DctcpStack>(*this, *h);
  } else {
    for (uint32_t i : hosts) stacks_.at(i) = std::make_unique<DctcpStack>(*this, *fabric.hosts.at(i));
  }
}

DctcpTransport::~DctcpTransport() {
  for (auto& s : stacks_)
    if (s) s->host().set_receiver(nullptr);
}

DctcpStack& DctcpTransport::stack_of(Host& h) {
  DctcpStack* s = h.index() < stacks_.size() ? stacks_[h.index()].get() : nullptr;
  if (!s) throw std::invalid_argument(std::string("DCTCP: host ") + h.name() + " has no DCTCP stack");
  return *s;
}

DctcpStackCounters DctcpTransport::totals() const {
  DctcpStackCounters t;
  for (auto& s : stacks_) {
    if (!s) continue;
    t.data_sent += s->c_.data_sent;
    t.acks_sent += s->c_.acks_sent;
    t.data_received += s->c_.data_received;
    t.acks_received += s->c_.acks_received;
    t.stray += s->c_.stray;
  }
  return t;
}

uint64_t DctcpTransport::start_flow(Host& src, Host& dst, uint64_t bytes, ps_t at, uint64_t tag, double init_cwnd_bytes) {
  if (&src == &dst) throw std::invalid_argument("DCTCP: a flow needs two different hosts");
  if (bytes == 0) throw std::invalid_argument("DCTCP: a flow carries at least one byte");
  stack_of(src);
  stack_of(dst);
  flows_.emplace_back();
  DctcpFlow& f = flows_.back();
  f.rec.id = flows_.size() - 1;
  f.rec.tag = tag;
  f.rec.src = src.index();
  f.rec.dst = dst.index();
  f.rec.bytes = bytes;
  f.src = &src;
  f.dst = &dst;
  f.init_cwnd_bytes = init_cwnd_bytes;
  const ps_t now = fabric_.ctx.now();
  f.rec.start_ps = std::max(at, now);
  fabric_.events.schedule(f.rec.start_ps, this, ev_start, &f, 0);
  return f.rec.id;
}

void DctcpTransport::begin(DctcpFlow& f) {
  DctcpStack& s = stack_of(*f.src);
  DctcpStack& r = stack_of(*f.dst);
  f.sport = s.allocate_port(f.dst->ip());
  f.dport = DctcpStack::kServerPort;
  s.senders_[DctcpStack::key(f.dst->ip(), f.sport, f.dport)] = &f;
  r.receivers_[DctcpStack::key(f.src->ip(), f.dport, f.sport)] = &f;
  f.data_addr = addressing(*f.src, *f.dst, cfg_.ecn);
  f.data_addr.src_port = f.sport;
  f.data_addr.dst_port = f.dport;
  f.ack_addr = addressing(*f.dst, *f.src, false);
  f.ack_addr.src_port = f.dport;
  f.ack_addr.dst_port = f.sport;
  f.rcv_end = f.rec.bytes;
  f.started = true;
  f.win.cwnd = f.init_cwnd_bytes > 0 ? std::min(f.init_cwnd_bytes, double(cfg_.max_cwnd) * cfg_.mss)
                                  : double(cfg_.init_cwnd) * cfg_.mss;
  f.win.ssthresh = double(cfg_.max_cwnd) * cfg_.mss;
  f.win.alpha = cfg_.alpha_init;
  f.rto_ps = min_rto_ps_;
  try_send(f);
  f.win.win_end = f.snd_nxt;  // the first observation window is the initial window
}

UdpAddressing DctcpTransport::addressing(const Host& from, const Host& to, bool ect) const {
  UdpAddressing a;
  a.src_mac = from.mac();
  a.dst_mac = to.mac();
  a.src_ip = from.ip();
  a.dst_ip = to.ip();
  a.ecn = ect ? kEcnEct0 : kEcnNotEct;
  return a;
}

void DctcpTransport::send_segment(DctcpFlow& f, uint64_t offset, bool retransmit) {
  const uint64_t len = std::min<uint64_t>(cfg_.mss, f.rec.bytes - offset);
  uint8_t flags = kTcpAck | kTcpPsh;
  if (f.send_cwr && !retransmit) {
    flags |= kTcpCwr;  // RFC 3168: the window was reduced (the DCTCP receiver does not need it)
    f.send_cwr = false;
  }
  // Everything the frame's bytes depend on is fixed now (the flow's ports and addresses, the offset, the
  // length, the flags); build_frame makes the frame when the host's NIC takes it.
  static_assert(sizeof(TcpSegment::flags) == 1, "flags packed in 8 bits");
  if (offset >= (uint64_t(1) << 40)) throw std::length_error("DCTCP flow offsets are limited to 2^40 bytes");
  const uint64_t packed = offset | (len << 40) | (uint64_t(flags) << 56);
  ++f.rec.segments_sent;
  ++stack_of(*f.src).c_.data_sent;
  if (retransmit) {
    ++f.rec.retransmits;
    if (f.rtt_timing && f.rtt_seq > offset) f.rtt_timing = false;  // Karn: no sample across a retransmission
  } else if (!f.rtt_timing) {
    f.rtt_timing = true;
    f.rtt_seq = offset + len;
    f.rtt_start = fabric_.ctx.now();
  }
  f.src->send_deferred(this, reinterpret_cast<uint64_t>(&f), packed,
                       Host::fq_key_of(f.data_addr.dst_ip, kIpProtoTcp, f.data_addr.src_port, f.data_addr.dst_port));
}

tlm::tlm_generic_payload* DctcpTransport::build_frame(uint64_t flow, uint64_t packed) {
  const DctcpFlow& f = *reinterpret_cast<const DctcpFlow*>(flow);
  const uint64_t offset = packed & ((uint64_t(1) << 40) - 1);
  const size_t len = size_t((packed >> 40) & 0xffff);
  TcpSegment seg;
  seg.src_port = f.data_addr.src_port;  // (the sender's lines hold the addressing, not sport/dport)
  seg.dst_port = f.data_addr.dst_port;
  seg.seq = uint32_t(offset);
  seg.flags = uint8_t(packed >> 56);
  const size_t frame = tcp_frame_bytes(len);
  tlm::tlm_generic_payload* gp = fabric_.ctx.pool.allocate_clean(frame);  // the zero payload is often there already
  gp->set_data_length(uint32_t(encode_tcp(gp->get_data_ptr(), frame, f.data_addr, seg, len,
                                          PacketPool::clean_from(*gp))));
  return gp;
}

void DctcpTransport::send_ack(DctcpFlow& f, uint64_t ack, bool ece) {
  TcpSegment seg;
  seg.src_port = f.ack_addr.src_port;  // (the receiver's lines hold the addressing, not sport/dport)
  seg.dst_port = f.ack_addr.dst_port;
  seg.ack = uint32_t(ack);
  seg.flags = uint8_t(kTcpAck | (ece ? kTcpEce : 0));
  tlm::tlm_generic_payload* gp = fabric_.ctx.pool.allocate(kEthMinFrameBytes);
  gp->set_data_length(
      uint32_t(encode_tcp(gp->get_data_ptr(), kEthMinFrameBytes, f.ack_addr, seg, 0)));
  ++stack_of(*f.dst).c_.acks_sent;
  f.unacked_segments = 0;
  f.dst->send(gp);
}

void DctcpTransport::try_send(DctcpFlow& f) {
  // New data (or, after a timeout, data again) while the bytes in flight stay within the window; a window
  // below one segment still lets one segment out.
  const double wnd = std::max(f.win.cwnd, double(cfg_.mss));
  bool sent = false;
  while (f.snd_nxt < f.rec.bytes) {
    const uint64_t len = std::min<uint64_t>(cfg_.mss, f.rec.bytes - f.snd_nxt);
    if (double(f.snd_nxt - f.snd_una + len) > wnd) break;
    send_segment(f, f.snd_nxt, f.snd_nxt < f.snd_max);
    f.snd_nxt += len;
    f.snd_max = std::max(f.snd_max, f.snd_nxt);
    sent = true;
  }
  if (sent && f.rto_deadline == 0) arm_rto(f);
}

void DctcpTransport::arm_rto(DctcpFlow& f) {
  // One pending timer event per flow; a later deadline is picked up when the event fires, an earlier one
  // schedules a new event and the stale one is ignored by its generation.
  const ps_t now = fabric_.ctx.now();
  f.rto_deadline = now + f.rto_ps;
  if (!f.rto_event_pending || f.rto_deadline < f.rto_event_at) {
    f.rto_event_pending = true;
    f.rto_event_at = f.rto_deadline;
    fabric_.events.schedule(f.rto_deadline, this, ev_rto, &f, ++f.rto_gen);
  }
}

void DctcpTransport::rtt_sample(DctcpFlow& f, ps_t rtt) {
  // RFC 6298.
  const double r = double(rtt);
  if (f.srtt_ps == 0) {
    f.srtt_ps = r;
    f.rttvar_ps = r / 2;
  } else {
    f.rttvar_ps = 0.75 * f.rttvar_ps + 0.25 * std::fabs(f.srtt_ps - r);
    f.srtt_ps = 0.875 * f.srtt_ps + 0.125 * r;
  }
  f.rto_ps = std::clamp(ps_t(f.srtt_ps + 4 * f.rttvar_ps), min_rto_ps_, max_rto_ps_);
}

void DctcpTransport::on_ack(DctcpFlow& f, const DecodedPacket& d) {
  if (f.rec.done) return;
  const ps_t now = fabric_.ctx.now();
  const bool ece = (d.tcp.flags & kTcpEce) != 0;
  if (ece) ++f.rec.ece_acks;
  // Unwrap the 32-bit ACK number around snd_una.
  const uint64_t ack = f.snd_una + uint64_t(int64_t(int32_t(d.tcp.ack - uint32_t(f.snd_una))));
  if (ack > f.snd_max || ack < f.snd_una) return;  // acknowledges nothing sent, or older than snd_una
  const uint64_t mss = cfg_.mss;

  if (ack > f.snd_una) {
    const uint64_t acked = ack - f.snd_una;
    f.win.observe(law_, ack, acked, ece, f.snd_nxt);  // DCTCP's alpha (transport/dctcp_window.h)
    if (f.rtt_timing && ack >= f.rtt_seq) {
      rtt_sample(f, now - f.rtt_start);
      f.rtt_timing = false;
    } else if (f.srtt_ps > 0) {
      f.rto_ps = std::clamp(ps_t(f.srtt_ps + 4 * f.rttvar_ps), min_rto_ps_, max_rto_ps_);  // end backoff
    }
    f.snd_una = ack;
    if (f.snd_nxt < f.snd_una) f.snd_nxt = f.snd_una;  // after go-back-N, data already received
    const double max_w = double(cfg_.max_cwnd) * mss;
    if (f.in_recovery) {
      if (ack >= f.recover) {  // full ACK: leave fast recovery (RFC 6582)
        f.in_recovery = false;
        f.win.cwnd = std::min(f.win.ssthresh, double(f.snd_max - f.snd_una) + mss);
        f.dupacks = 0;
      } else {  // partial ACK: the next hole was lost as well
        send_segment(f, f.snd_una, true);
        f.win.cwnd = std::max(f.win.cwnd - double(acked) + mss, double(mss));
      }
    } else {
      f.dupacks = 0;
      f.win.grow(law_, acked, max_w);
    }
    if (f.snd_una >= f.rec.bytes) return finish(f);
    if (f.snd_una < f.snd_max) arm_rto(f);
    else f.rto_deadline = 0;
  } else if (f.snd_max > f.snd_una && d.tcp_payload == 0) {  // duplicate ACK
    ++f.dupacks;
    if (f.in_recovery) {
      f.win.cwnd += mss;  // each duplicate ACK means a segment left the network
    } else if (f.dupacks == cfg_.dupack_threshold && f.snd_una >= f.recover) {
      const double flight = double(f.snd_max - f.snd_una);
      f.win.ssthresh = std::max(flight / 2, 2.0 * mss);
      f.win.cwnd = f.win.ssthresh + double(cfg_.dupack_threshold) * mss;
      f.in_recovery = true;
      f.recover = f.snd_max;
      ++f.rec.fast_retransmits;
      send_segment(f, f.snd_una, true);
      arm_rto(f);
    }
  }

  // DCTCP window cut on ECE, at most once per window of data (and not during loss recovery, which has
  // already cut the window).
  if (!f.in_recovery && f.win.react(law_, ece, f.snd_una, f.snd_max)) {
    f.send_cwr = true;
    ++f.rec.cwnd_cuts;
  }
  try_send(f);
}

void DctcpTransport::on_timeout(DctcpFlow& f) {
  const uint64_t mss = cfg_.mss;
  ++f.rec.timeouts;
  f.win.ssthresh = std::max(double(f.snd_max - f.snd_una) / 2, 2.0 * mss);
  f.win.cwnd = double(mss);
  f.in_recovery = false;
  f.dupacks = 0;
  f.recover = f.snd_max;  // no fast retransmit on the duplicate ACKs of the go-back-N burst
  f.rtt_timing = false;
  f.rto_ps = std::min(f.rto_ps * 2, max_rto_ps_);
  f.snd_nxt = f.snd_una;  // go-back-N: the receiver's out-of-order buffer makes the ACK jump past held data
  f.rto_deadline = 0;
  try_send(f);
}

void DctcpTransport::on_data(DctcpFlow& f, const DecodedPacket& d) {
  const ps_t now = fabric_.ctx.now();
  const bool ce = d.ecn == kEcnCe;
  const uint64_t len = d.tcp_payload;
  if (len == 0) return;
  const uint64_t start = f.rcv_nxt + uint64_t(int64_t(int32_t(d.tcp.seq - uint32_t(f.rcv_nxt))));
  const uint64_t end = start + len;
  const uint64_t before = f.rcv_nxt;
  bool in_order = false;
  if (end <= f.rcv_nxt) {
    // duplicate (retransmission of data already held): ACK at once
  } else if (start <= f.rcv_nxt) {
    in_order = true;
    f.rcv_nxt = end;
    while (!f.ooo.empty() && f.ooo.begin()->first <= f.rcv_nxt) {
      f.rcv_nxt = std::max(f.rcv_nxt, f.ooo.begin()->second);
      f.ooo.erase(f.ooo.begin());
    }
    if (f.rcv_nxt >= f.rcv_end) f.last_byte_rx_ps = now;
  } else {
    uint64_t& e = f.ooo[start];
    e = std::max(e, end);
  }

  if (!cfg_.delayed_ack) return send_ack(f, f.rcv_nxt, ce);
  // DCTCP delayed ACKs: a change of the CE state first ACKs the data received before it with the old state.
  if (ce != f.ce_state) {
    if (f.unacked_segments > 0) send_ack(f, before, f.ce_state);
    f.ce_state = ce;
  }
  ++f.unacked_segments;
  // ACK at once: out-of-order or duplicate data, a filled hole, every m-th segment, and the flow's last byte
  // (the FIN a real sender would set there is ACKed at once).
  const bool filled_hole = in_order && f.rcv_nxt > end;
  if (!in_order || filled_hole || !f.ooo.empty() || f.unacked_segments >= cfg_.delayed_ack_segments ||
      f.rcv_nxt >= f.rcv_end) {
    send_ack(f, f.rcv_nxt, f.ce_state);
  } else if (f.unacked_segments == 1) {
    fabric_.events.schedule(now + delack_ps_, this, ev_delack, &f, ++f.delack_gen);
  }
}

void DctcpTransport::finish(DctcpFlow& f) {
  f.rec.done = true;
  f.rec.finish_ps = fabric_.ctx.now();
  f.rto_deadline = 0;
  ++completed_;
  DctcpStack& s = stack_of(*f.src);
  DctcpStack& r = stack_of(*f.dst);
  s.forget(s.senders_, DctcpStack::kHintAck, DctcpStack::key(f.dst->ip(), f.sport, f.dport));
  r.forget(r.receivers_, DctcpStack::kHintData, DctcpStack::key(f.src->ip(), f.dport, f.sport));
  for (FlowObserver* o : observers_) o->on_flow_complete(f.rec);
}

void DctcpTransport::on_event(uint32_t kind, void* ptr, uint64_t arg) {
  DctcpFlow& f = *static_cast<DctcpFlow*>(ptr);
  switch (kind) {
    case ev_start: begin(f); break;
    case ev_rto: {
      if (arg != f.rto_gen) return;  // superseded by an earlier deadline
      f.rto_event_pending = false;
      if (f.rec.done || f.rto_deadline == 0) return;
      const ps_t now = fabric_.ctx.now();
      if (now < f.rto_deadline) {  // re-armed since: sleep until the current deadline
        f.rto_event_pending = true;
        f.rto_event_at = f.rto_deadline;
        fabric_.events.schedule(f.rto_deadline, this, ev_rto, &f, ++f.rto_gen);
        return;
      }
      on_timeout(f);
      break;
    }
    case ev_delack:
      if (arg == f.delack_gen && f.unacked_segments > 0 && !f.rec.done) send_ack(f, f.rcv_nxt, f.ce_state);
      break;
    default: break;
  }
}

}  // namespace panama
