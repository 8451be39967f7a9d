#include "network/egress_port.h"

#include "protocol/packet.h"

#include <algorithm>
#include <cstddef>
#include <random>

namespace panama {

tlm::tlm_sync_enum WireEnd::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time&) {
  if (ph == tlm::BEGIN_REQ) node_->receive(port_, gp);
  return tlm::TLM_COMPLETED;  // links are lossless at this layer: PFC, not TLM, pushes back
}

EgressPort::EgressPort(NetNode& owner, uint32_t index, Link& link)
    : owner_(owner), ctx_(owner.ctx()), index_(index), link_(link) {
  arrival_.port = this;
  // The layout the comments in the header describe: a line for starting a frame (with the vtable
  // pointer), the arrival line, the counters line, then the cold state; each class on a line of its own.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // (a class with virtual functions: GCC lays it out as declared)
  static_assert(offsetof(EgressPort, arrivals_) + sizeof(arrivals_) <= 64, "the start state spills out of the first line");
  static_assert(sizeof(Entry) == 16, "a queue entry is not 16 bytes");
  static_assert(offsetof(EgressPort, arrival_) == 64 && sizeof(Arrival) == 64, "the arrival line is not one line");
  static_assert(offsetof(EgressPort, far_hot_) == 128 && offsetof(EgressPort, quantum_) < 192,
                "the counters line is not one line");
  static_assert(offsetof(EgressPort, cls_) % 64 == 0 && sizeof(ClassState) == 64, "a class is not one line");
#pragma GCC diagnostic pop
}

void EgressPort::bind() {
  far_end_ = owner_.tx(index_).operator->();
  far_hot_ = link_.peer_of(&owner_).fast_receive().hot;
  const LinkParams& lp = link_.params();
  delay_ps_ = lp.delay_ps;
  gbps_ = lp.gbps;
  ser_rate_ = SerializationRate::exact_for(gbps_);
  const bool faults = !lp.down.empty() || lp.corrupt_probability > 0;
  link_state_ = uint8_t(kBound | (faults ? kFaults : 0) | (link_state_ & kJitter));
  // Frames arrive straight through the arrival line when the socket reaches this port's own WireEnd
  // (the receiving node and port are then the WireEnd's) and no fault can drop them on the way.
  arrival_.direct = !faults && far_end_ == static_cast<tlm::tlm_fw_transport_if<>*>(&wire_end_);
  arrival_.node = wire_end_.node();
  arrival_.rx_port = wire_end_.port();
  const bool fast = arrival_.direct && arrival_.node && arrival_.node->fast_receive().receive;
  arrival_.prefetch = fast ? arrival_.node->fast_receive().prefetch : nullptr;
  arrival_.receive = fast ? arrival_.node->fast_receive().receive : nullptr;
}

ps_t EgressPort::next_start_jitter() {
  uint64_t z = (jitter_state_ += 0x9E3779B97F4A7C15ull);  // splitmix64
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return ps_t((unsigned __int128)z * (jitter_max_ps_ + 1) >> 64);  // uniform in 0..max
}

PortCounters EgressPort::counters() const {
  PortCounters c;
  c.tx_frames = tx_frames_;
  c.tx_bytes = tx_bytes_;
  c.busy_ps = busy_ps_;
  c.delivered_frames = arrival_.delivered_frames;
  c.delivered_bytes = arrival_.delivered_bytes;
  c.peak_queue_bytes = std::max(peak_queue_bytes_, total_bytes_);  // (queued since the last start: see try_start)
  for (const ClassState& cs : cls_) c.ecn_marked += cs.ecn_marked;
  c.pause_sent = pause_sent_;
  c.pause_received = pause_received_;
  c.resume_sent = resume_sent_;
  return c;
}

void EgressPort::send_control(tlm::tlm_generic_payload* gp) {
  control_.push_back(Entry{gp, gp->get_data_length(), 0, 0});
  control_pending_ = true;
  try_start();
}

void EgressPort::pause(uint8_t tc, ps_t until) { cls_[tc].paused_until = until; }

void EgressPort::apply_pfc(const PfcFrame& f) {
  ++pause_received_;
  for (uint8_t tc = 0; tc < kNumTc; ++tc) {
    if (!(f.class_enable & (1u << tc))) continue;
    if (f.quanta[tc] == 0) resume(tc);
    else pause(tc, ctx_.now() + serialization_ps(uint64_t(f.quanta[tc]) * 512, gbps()));
  }
}

void EgressPort::resume(uint8_t tc) {
  cls_[tc].paused_until = 0;
  try_start();
}

void EgressPort::schedule_kick(ps_t at) {
  if (at >= kick_at_) return;  // an earlier kick is pending; it re-arms whatever is still needed
  kick_at_ = at;
  // The record's hint: the head entry of the class the scheduler most likely picks (strict priority:
  // the highest with frames; DRR: the lowest, the lossy class in a fabric of TCP flows). Queued a while
  // ago, it is rarely still cached when the kick comes; a FIFO's head changes only when this port starts
  // a frame, so the address holds until the kick (a ring that grows meanwhile leaves a stale hint: a
  // useless load, no fault).
  const void* hint = nullptr;
  if (nonempty_) {
    const int c = sched_ == Scheduler::strict_priority ? 31 - __builtin_clz(nonempty_) : __builtin_ctz(nonempty_);
    // (fifo: the lowest class, the one a fabric of TCP flows fills; the hint is only a prefetch.)
    hint = &cls_[size_t(c)].q.front();
  }
  ctx_.events.schedule(at, this, kick_event | EventQueue::kPrefetch, nullptr, 0, hint);
}

void EgressPort::on_event(uint32_t, void*, uint64_t) {
  if (ctx_.now() >= kick_at_) kick_at_ = ~ps_t(0);
  try_start();
}

// A kick (end of serialisation): the scheduler reads the classes with frames (stage 1), then their
// head entries (stage 0; the record's hint has usually loaded the one it picks); starting the frame
// writes the counters, reads the delay and calls the owner (stage 1).
void EgressPort::prefetch_event(uint32_t, void*, uint64_t&, int stage) {
  if (stage) {
    __builtin_prefetch(&far_hot_);
    __builtin_prefetch(&owner_);  // its vtable pointer: starting a frame calls on_transmit()
  }
  for (uint32_t m = nonempty_; m; m &= m - 1) {
    const ClassState& cs = cls_[size_t(__builtin_ctz(m))];
    __builtin_prefetch(stage ? static_cast<const void*>(&cs) : static_cast<const void*>(&cs.q.front()));
  }
}

void EgressPort::Arrival::on_event(uint32_t, void* ptr, uint64_t arg) {
  auto* gp = static_cast<tlm::tlm_generic_payload*>(ptr);
  if (!direct) return port->deliver(gp, arg);
  const uint32_t len = uint32_t(arg);
  ++delivered_frames;
  delivered_bytes += len;
  // What WireEnd::nb_transport_fw does, given what the prefetch stages left (NetNode::FastReceive).
  if (receive) receive(*node, rx_port, *gp, NetNode::prefetch_state(arg), len);
  else node->receive(rx_port, *gp);
  gp->release();
}

void EgressPort::Arrival::prefetch_event(uint32_t, void* ptr, uint64_t& arg, int stage) {
  if (prefetch) prefetch(*node, rx_port, *static_cast<const tlm::tlm_generic_payload*>(ptr), stage, arg);
}

int EgressPort::pick() {
  const ps_t now = ctx_.now();
  if (sched_ == Scheduler::fifo) {
    // The oldest head among the classes that may send (signed 16-bit stamp difference: see arrivals_).
    int best = -1;
    uint16_t best_stamp = 0;
    for (uint32_t m = nonempty_; m; m &= m - 1) {
      const int c = __builtin_ctz(m);
      const ClassState& cs = cls_[size_t(c)];
      if (cs.paused_until > now) continue;
      const uint16_t st = cs.q.front().stamp;
      if (best < 0 || int16_t(uint16_t(st - best_stamp)) < 0) {
        best = c;
        best_stamp = st;
      }
    }
    return best;
  }
  if (sched_ == Scheduler::strict_priority) {
    for (uint32_t m = nonempty_; m;) {
      const int c = 31 - __builtin_clz(m);  // highest non-empty class first
      if (cls_[size_t(c)].paused_until <= now) return c;
      m &= ~(1u << c);
    }
    return -1;
  }
  // Deficit round robin (Shreedhar & Varghese): a visit credits one quantum; the class sends while its
  // deficit covers the head frame, then the round moves on. The round visits non-empty classes only
  // (found from the bit mask, so an idle class's state is not touched); a class that empties loses its
  // credit (in try_start).
  const uint32_t only = nonempty_;
  if (!only) return -1;
  if (!(only & (only - 1))) {
    // One class has frames (the usual case): the round visits it alone, crediting a quantum per visit
    // until its head frame fits. Same state as the loop below leaves, without walking the round.
    const uint8_t c = uint8_t(__builtin_ctz(only));
    ClassState& cs = cls_[c];
    if (cs.paused_until > now) {
      drr_next_ = uint8_t((c + 1) % kNumTc);
      drr_credited_ = false;
      return -1;
    }
    if (c != drr_next_ || !drr_credited_) {
      drr_next_ = c;
      drr_credited_ = true;
      cs.deficit += quantum_;
    }
    const int64_t len = int64_t(cs.q.front().len + kEthWireOverheadBytes);
    if (cs.deficit < len) {
      // Visits until the deficit covers the frame: one when a quantum is at least the shortfall (the
      // usual case: a quantum of an MTU frame), so the division is for quanta below a frame.
      const int64_t need = len - cs.deficit;
      cs.deficit += need <= int64_t(quantum_) ? int64_t(quantum_) : (need + quantum_ - 1) / quantum_ * quantum_;
    }
    cs.deficit -= len;
    return c;
  }
  bool any_ready = false;
  for (uint32_t m = only; m; m &= m - 1) any_ready |= cls_[size_t(__builtin_ctz(m))].paused_until <= now;
  if (!any_ready) return -1;
  // Enough visits for a class to accumulate a jumbo frame's credit at the smallest quantum (the loop
  // returns once a class's deficit covers its head frame).
  const int rounds = 1 + int((kMaxFrameBytes + kEthWireOverheadBytes) / quantum_);
  for (int n = 0; n < kNumTc * rounds + 1; ++n) {
    const uint32_t m = nonempty_;
    const uint32_t rot = ((m >> drr_next_) | (m << (kNumTc - drr_next_))) & ((1u << kNumTc) - 1);
    const uint8_t c = uint8_t((drr_next_ + __builtin_ctz(rot)) % kNumTc);
    if (c != drr_next_) {
      drr_next_ = c;
      drr_credited_ = false;
    }
    ClassState& cs = cls_[c];
    if (cs.paused_until <= now) {
      if (!drr_credited_) {
        cs.deficit += quantum_;
        drr_credited_ = true;
      }
      const int64_t len = int64_t(cs.q.front().len + kEthWireOverheadBytes);
      if (cs.deficit >= len) {
        cs.deficit -= len;
        return c;
      }
    }
    drr_next_ = uint8_t((c + 1) % kNumTc);
    drr_credited_ = false;
  }
  return -1;
}

void EgressPort::try_start() {
  if (!control_pending_ && !nonempty_) return;
  const ps_t now = ctx_.now();
  if (now < busy_until_) return schedule_kick(busy_until_);
  if (!(link_state_ & kBound)) bind();  // bound at elaboration; frames flow after it
  if ((link_state_ & kFaults) && !link_.up(now)) return schedule_kick(link_.next_up(now));
  if (control_pending_) {
    const Entry e = control_.front();
    control_.pop_front();
    control_pending_ = !control_.empty();
    return start(e, -1);
  }
  const int c = pick();
  if (c < 0) {
    // Every non-empty class is paused: wake when the earliest pause expires (a RESUME may come first,
    // or never, if it was lost on the wire).
    ps_t wake = ~ps_t(0);
    for (uint32_t m = nonempty_; m; m &= m - 1) wake = std::min(wake, cls_[size_t(__builtin_ctz(m))].paused_until);
    if (wake != ~ps_t(0) && wake > now) schedule_kick(wake);
    return;
  }
  ClassState& cs = cls_[size_t(c)];
  const Entry e = cs.q.front();
  cs.q.pop_front();
  if (cs.q.empty()) {
    nonempty_ &= uint8_t(~(1u << c));
    cs.deficit = 0;  // DRR: an idle class keeps no credit
  } else {
    __builtin_prefetch(&cs.q.front());  // the next pick reads it, when this frame is on the wire
  }
  // The peak queue, taken before a frame leaves rather than as one joins: the queue only grows between
  // two starts, so its largest value since the last start is the one now (counters() adds the frames
  // queued since the last start). A frame queued behind another then touches only the start and class
  // lines of the port, not the counters line, which starting it writes anyway.
  if (total_bytes_ > peak_queue_bytes_) peak_queue_bytes_ = total_bytes_;
  cs.bytes -= e.len;
  total_bytes_ -= e.len;
  start(e, c);
}

// Serialises `e` now: it arrives at the far end after its last bit plus the propagation delay.
void EgressPort::start(const Entry& e, int tc) {
  NetContext& ctx = ctx_;
  const ps_t now = ctx.now();
  const uint64_t bits = uint64_t(e.len + kEthWireOverheadBytes) * 8;
  const ps_t ser = ser_rate_.exact() ? ser_rate_.ps(bits) : serialization_ps(bits, gbps_);
  // Busy before the owner hears of it: its callback may queue more on this port (a host refilling its
  // NIC, a switch sending PFC), which must wait for this frame.
  busy_until_ = now + ser;
  ++tx_frames_;
  tx_bytes_ += e.len;
  busy_ps_ += ser;
  // One record per frame on the wire (see the header). It carries the frame and its length; the far
  // end's hot state is loaded while the record before it runs.
  ctx.events.schedule(busy_until_ + delay_ps_, &arrival_, deliver_event | EventQueue::kPrefetch, e.gp, e.len, far_hot_);
  if (tc >= 0) owner_.on_transmit(index_, *e.gp, uint8_t(tc), e.tag, e.len);
  if (control_pending_ || nonempty_) schedule_kick(busy_until_);
}

// The frame's last bit reaches the far end, through the TLM interface (see Arrival).
void EgressPort::deliver(tlm::tlm_generic_payload* gp, uint64_t arg) {
  const uint32_t len = uint32_t(arg);
  const bool faults = link_state_ & kFaults;
  if (faults && !link_.up(ctx_.now())) {
    link_.peer_of(&owner_).count_drop(NetDrop::link_down);  // lost on the wire while the link was down
  } else if (faults && link_.params().corrupt_probability > 0 &&
             std::uniform_real_distribution<double>(0.0, 1.0)(ctx_.rng) < link_.params().corrupt_probability) {
    link_.peer_of(&owner_).count_drop(NetDrop::corrupted);  // the receiver's FCS check fails
  } else {
    ++arrival_.delivered_frames;
    arrival_.delivered_bytes += len;
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    far_end_->nb_transport_fw(*gp, ph, d);
  }
  gp->release();
}

}  // namespace panama
