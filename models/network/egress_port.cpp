#include "network/egress_port.h"

#include "protocol/packet.h"

#include <algorithm>
#include <random>

namespace panama {

EgressPort::EgressPort(NetNode& owner, uint32_t index, Link& link) : owner_(owner), index_(index), link_(link) {}

void EgressPort::enqueue(tlm::tlm_generic_payload* gp, uint8_t tc) {
  q_[tc].push_back(gp);
  nonempty_ |= uint8_t(1u << tc);
  qbytes_[tc] += gp->get_data_length();
  total_bytes_ += gp->get_data_length();
  if (total_bytes_ > counters.peak_queue_bytes) counters.peak_queue_bytes = total_bytes_;
  try_start();
}

void EgressPort::send_control(tlm::tlm_generic_payload* gp) {
  control_.push_back(gp);
  try_start();
}

void EgressPort::pause(uint8_t tc, ps_t until) { paused_until_[tc] = until; }

void EgressPort::apply_pfc(const PfcFrame& f) {
  ++counters.pause_received;
  for (uint8_t tc = 0; tc < kNumTc; ++tc) {
    if (!(f.class_enable & (1u << tc))) continue;
    if (f.quanta[tc] == 0) resume(tc);
    else pause(tc, owner_.ctx().now() + serialization_ps(uint64_t(f.quanta[tc]) * 512, gbps()));
  }
}

void EgressPort::resume(uint8_t tc) {
  paused_until_[tc] = 0;
  try_start();
}

int EgressPort::pick() {
  const ps_t now = owner_.ctx().now();
  if (sched_ == Scheduler::strict_priority) {
    for (uint32_t m = nonempty_; m;) {
      const int c = 31 - __builtin_clz(m);  // highest non-empty class first
      if (paused_until_[size_t(c)] <= now) return c;
      m &= ~(1u << c);
    }
    return -1;
  }
  // Deficit round robin (Shreedhar & Varghese): a visit credits one quantum; the class sends while its
  // deficit covers the head frame, then the round moves on.
  for (int n = 0; n < 2 * kNumTc + 1; ++n) {
    const uint8_t c = drr_next_;
    if (!q_[c].empty() && paused_until_[c] <= now) {
      if (!drr_credited_) {
        deficit_[c] += quantum_;
        drr_credited_ = true;
      }
      const int64_t len = int64_t(q_[c].front()->get_data_length() + kEthWireOverheadBytes);
      if (deficit_[c] >= len) {
        deficit_[c] -= len;
        return c;
      }
    } else if (q_[c].empty()) {
      deficit_[c] = 0;  // an idle class keeps no credit
    }
    drr_next_ = uint8_t((c + 1) % kNumTc);
    drr_credited_ = false;
  }
  return -1;
}

void EgressPort::try_start() {
  if (busy_) return;
  NetContext& ctx = owner_.ctx();
  const ps_t now = ctx.now();
  if (wake_at_ <= now) wake_at_ = ~ps_t(0);
  if (!link_.up(now)) {
    if (!retry_pending_) {
      retry_pending_ = true;
      ctx.events.schedule(link_.next_up(now), &owner_, NetNode::pause_expire, nullptr, index_);
    }
    return;
  }
  retry_pending_ = false;
  tlm::tlm_generic_payload* gp = nullptr;
  if (!control_.empty()) {
    gp = control_.front();
    control_.pop_front();
  } else {
    const int c = pick();
    if (c < 0) {
      // Empty, or every non-empty class is paused: wake when the earliest pause expires (a RESUME may
      // come first, or never, if it was lost on the wire).
      ps_t wake = ~ps_t(0);
      for (uint32_t m = nonempty_; m; m &= m - 1) wake = std::min(wake, paused_until_[size_t(__builtin_ctz(m))]);
      if (wake != ~ps_t(0) && wake > now && wake < wake_at_) {
        wake_at_ = wake;
        ctx.events.schedule(wake, &owner_, NetNode::pause_expire, nullptr, index_);
      }
      return;
    }
    gp = q_[size_t(c)].front();
    q_[size_t(c)].pop_front();
    if (q_[size_t(c)].empty()) nonempty_ &= uint8_t(~(1u << c));
    qbytes_[size_t(c)] -= gp->get_data_length();
    total_bytes_ -= gp->get_data_length();
    // Busy before the owner hears of it: its callback may queue more on this port (a host refilling
    // its NIC, a switch sending PFC), which must wait for this frame.
    busy_ = true;
    owner_.on_transmit(index_, *gp, uint8_t(c));
  }
  busy_ = true;
  const ps_t ser = serialization_ps(uint64_t(gp->get_data_length() + kEthWireOverheadBytes) * 8, link_.params().gbps);
  ++counters.tx_frames;
  counters.tx_bytes += gp->get_data_length();
  counters.busy_ps += ser;
  ctx.events.schedule(now + ser, &owner_, NetNode::tx_done, gp, index_);
}

void EgressPort::on_tx_done(tlm::tlm_generic_payload* gp) {
  busy_ = false;
  NetContext& ctx = owner_.ctx();
  const ps_t arrive = ctx.now() + link_.params().delay_ps;
  flight_.emplace_back(arrive, gp);
  if (!deliver_pending_) {
    deliver_pending_ = true;
    ctx.events.schedule(arrive, &owner_, NetNode::deliver, gp, index_);  // gp: a prefetch hint only
  }
  try_start();
}

void EgressPort::on_deliver() {
  NetContext& ctx = owner_.ctx();
  deliver_pending_ = false;
  const ps_t now = ctx.now();
  while (!flight_.empty() && flight_.front().first <= now) {
    tlm::tlm_generic_payload* gp = flight_.front().second;
    flight_.pop_front();
    deliver_one(gp);
  }
  if (!flight_.empty()) {
    deliver_pending_ = true;
    ctx.events.schedule(flight_.front().first, &owner_, NetNode::deliver, flight_.front().second, index_);
  }
}

void EgressPort::deliver_one(tlm::tlm_generic_payload* gp) {
  NetContext& ctx = owner_.ctx();
  NetNode& peer = link_.peer_of(&owner_);
  if (!link_.up(ctx.now())) {
    peer.count_drop(NetDrop::link_down);  // lost on the wire while the link was down
  } else if (link_.params().corrupt_probability > 0 &&
             std::uniform_real_distribution<double>(0.0, 1.0)(ctx.rng) < link_.params().corrupt_probability) {
    peer.count_drop(NetDrop::corrupted);  // the receiver's FCS check fails
  } else {
    ++counters.delivered_frames;  // the far end's receive counters, kept here where the line is hot
    counters.delivered_bytes += gp->get_data_length();
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    owner_.tx[int(index_)]->nb_transport_fw(*gp, ph, d);
  }
  gp->release();
}

}  // namespace panama
