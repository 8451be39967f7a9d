#include "accelerator/accelerator.h"

#include <algorithm>
#include <cstring>

namespace panama {

using tlm::tlm_generic_payload;

Accelerator::Accelerator(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg, PacketPool& pool)
    : sc_module(name),
      rx("rx"),
      tx("tx"),
      cfg_(cfg),
      clk_(cfg.clock_mhz),
      pool_(pool),
      events("events"),
      parser("ingress_parser", cfg_),
      sram("buffer_sram", cfg_),
      adders("adder_tree", cfg_),
      egress("egress_mux", cfg_, clk_, events, *this),
      ctx_used_(cfg.max_jobs, false),
      fifo_(cfg.ports, 0),
      blocked_(cfg.ports, 0),
      held_in_(cfg.ports, nullptr),
      held_since_(cfg.ports, 0),
      held_out_(cfg.ports, nullptr) {
  cfg_.validate();
  rx.register_nb_transport_fw(this, &Accelerator::nb_transport_fw);
  tx.register_nb_transport_bw(this, &Accelerator::nb_transport_bw);
}

// ---------------------------------------------------------------- controller interface

bool Accelerator::install_job(const JobSpec& spec) {
  if (jobs_.count(spec.job)) return false;
  auto free_ctx = std::find(ctx_used_.begin(), ctx_used_.end(), false);
  if (free_ctx == ctx_used_.end()) return false;
  for (const auto& t : spec.trees) {
    const uint64_t port_mask = cfg_.ports >= 64 ? ~0ull : ((1ull << cfg_.ports) - 1);
    if (t.children_mask == 0 || (t.children_mask & ~port_mask) || (t.down_mask & ~port_mask) ||
        (!t.is_root && t.up_lane >= cfg_.ports))
      SC_REPORT_ERROR(name(), "install_job: tree refers to a port this accelerator does not have");
  }
  *free_ctx = true;
  JobState js;
  js.spec = spec;
  js.ctx = uint32_t(free_ctx - ctx_used_.begin());
  jobs_.emplace(spec.job, std::move(js));
  sram.set_active_jobs(uint32_t(jobs_.size()));  // every job's share becomes packet_memory / num_jobs
  return true;
}

uint32_t Accelerator::remove_job(uint16_t job) {
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return 0;
  uint32_t released = 0;
  for (int32_t i = 0; i < int32_t(sram.total_slots()); ++i)
    if (sram.slot(i).in_use && sram.slot(i).ctx == it->second.ctx) {
      sram.release(i, now_cycle());
      ++released;
    }
  for (auto* gp : it->second.parked) {
    --blocked_[meta(*gp).ingress_port];
    --parked_total_;
    drop(*gp, DropReason::unknown_job, true);
  }
  ctx_used_[it->second.ctx] = false;
  jobs_.erase(it);
  sram.set_active_jobs(uint32_t(jobs_.size()));
  unpark_all();  // shares grew for the remaining jobs
  return released;
}

uint32_t Accelerator::free_slots_for(uint16_t job) const {
  auto it = jobs_.find(job);
  return it == jobs_.end() ? 0 : sram.free_for(it->second.ctx);
}

uint32_t Accelerator::tree_slots(uint16_t job) const {
  auto it = jobs_.find(job);
  if (it == jobs_.end() || it->second.spec.trees.empty()) return 0;
  return std::max(1u, sram.share() / uint32_t(it->second.spec.trees.size()));
}

uint32_t Accelerator::peak_slots_of(uint16_t job) const {
  auto it = jobs_.find(job);
  return it == jobs_.end() ? 0 : sram.peak_used(it->second.ctx);
}

// ---------------------------------------------------------------- ingress

tlm::tlm_sync_enum Accelerator::nb_transport_fw(int port, tlm_generic_payload& gp, tlm::tlm_phase& ph,
                                                sc_core::sc_time&) {
  if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;  // END_RESP and friends carry nothing here
  const uint32_t p = uint32_t(port);
  const ps_t now = to_ps(sc_core::sc_time_stamp());
  if (stats_.rx_frames == 0) stats_.first_rx_ps = now;
  ++stats_.rx_frames;
  stats_.rx_bytes += gp.get_data_length();
  if (held_in_[p]) SC_REPORT_ERROR(name(), "port sent a frame while its previous one was still held back");
  if (fifo_[p] >= cfg_.ingress_fifo_packets || blocked_[p]) {
    gp.acquire();
    held_in_[p] = &gp;
    held_since_[p] = now;
    ++stats_.backpressure_events;
    return tlm::TLM_ACCEPTED;
  }
  gp.acquire();
  admit(p, gp);
  return tlm::TLM_COMPLETED;
}

void Accelerator::admit(uint32_t port, tlm_generic_payload& gp) {
  PacketMeta& m = meta(gp);
  m.ingress_port = port;
  AccelPacketState st;
  st.arrival_ps = to_ps(sc_core::sc_time_stamp());
  set_accel_state(m, st);
  ++fifo_[port];
  ++fifo_total_;
  const uint64_t arrival = clk_.edge_at_or_after(st.arrival_ps);
  const IngressParser::Slot s = parser.reserve(arrival, gp.get_data_length());
  trace_interval(tv_parser_busy, s.start, s.start + s.occupancy);
  trace_value(tv_ingress_fifo, fifo_total_);
  events.schedule(clk_.cycles(s.head_out), this, parser_out, &gp);
}

void Accelerator::fifo_release(uint32_t port) {
  --fifo_[port];
  --fifo_total_;
  trace_value(tv_ingress_fifo, fifo_total_);
  try_release_held(port);
}

void Accelerator::try_release_held(uint32_t port) {
  tlm_generic_payload* gp = held_in_[port];
  if (!gp || fifo_[port] >= cfg_.ingress_fifo_packets || blocked_[port]) return;
  held_in_[port] = nullptr;
  stats_.backpressure_cycles += clk_.cycles_ceil(to_ps(sc_core::sc_time_stamp()) - held_since_[port]);
  admit(port, *gp);  // the reference taken when it was held is now the accelerator's
  tlm::tlm_phase ph = tlm::BEGIN_RESP;
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  rx[port]->nb_transport_bw(*gp, ph, d);
}

void Accelerator::drop(tlm_generic_payload& gp, DropReason r, bool holds_fifo) {
  stats_.drops.count(r);
  const uint32_t port = meta(gp).ingress_port;
  gp.release();
  if (holds_fifo) fifo_release(port);
}

void Accelerator::on_parser_out(tlm_generic_payload& gp) {
  PacketMeta& m = meta(gp);
  m.dec = parser.classify(gp.get_data_ptr(), gp.get_data_length());
  if (m.dec.cls == PacketClass::malformed) return drop(gp, m.dec.reason, true);
  if (m.dec.cls == PacketClass::aggregation && !(m.dec.hdr.flags & kFlagResult)) {
    auto it = jobs_.find(m.dec.hdr.job);
    const TreeSpec* t = it == jobs_.end() ? nullptr : it->second.tree(m.dec.hdr.tree);
    if (!t) return drop(gp, DropReason::unknown_job, true);
    if (!(t->children_mask & (1ull << m.ingress_port))) return drop(gp, DropReason::not_a_child, true);
    agg_queue_.push_back(&gp);
    trace_value(tv_agg_queue, int64_t(agg_queue_.size()));
    engine_kick();
    return;
  }
  // Pass-through (including results travelling down): leaves unchanged on its own lane. It keeps its
  // ingress FIFO entry until its first beat leaves the mux, so what a port has inside the accelerator
  // stays within ingress_fifo_packets frames (no unbounded queue behind the parser).
  ++stats_.passthrough_frames;
  AccelPacketState st = accel_state(m);
  st.latency_pending = true;
  st.latency_origin_ps = clk_.cycles(clk_.edge_at_or_after(st.arrival_ps));
  set_accel_state(m, st);
  egress.enqueue(m.ingress_port, &gp, EgressMux::pass_through, to_ps(sc_core::sc_time_stamp()));
}

// ---------------------------------------------------------------- aggregation engine

void Accelerator::engine_kick() {
  if (engine_wake_pending_) return;
  while (!agg_queue_.empty() && issue_pass()) {
  }
  trace_value(tv_agg_queue, int64_t(agg_queue_.size()));
}

// Issues one pass for the contribution at the head of the queue (or disposes of it). Returns false when
// the adder tree cannot take a pass yet; an engine_wake event is then pending.
bool Accelerator::issue_pass() {
  // The engine's output is bounded: while egress_fifo_packets aggregated frames wait in the mux (or
  // are held there by the switch's PFC accounting), no pass issues; a departure wakes the engine.
  if (egress.queued(EgressMux::aggregation) >= cfg_.egress_fifo_packets) {
    engine_wait_egress_ = true;
    return false;
  }
  tlm_generic_payload& head = *agg_queue_.front();
  PacketMeta& hm = meta(head);
  const PanamaHeader& h = hm.dec.hdr;
  JobState& job = jobs_.at(h.job);
  const TreeSpec& tree = *job.tree(h.tree);
  const uint64_t key = SlotKey::of(h).packed();
  const uint64_t now_c = now_cycle();

  int32_t idx = sram.find(key);
  if (idx >= 0) {
    const Slot& s = sram.slot(idx);
    if (s.children_seen & (1ull << hm.ingress_port)) {  // a retransmission: never added twice
      agg_queue_.pop_front();
      drop(head, DropReason::duplicate, true);
      return true;
    }
    if (s.count != h.count || s.type != h.type) {
      agg_queue_.pop_front();
      drop(head, DropReason::slot_mismatch, true);
      return true;
    }
  }
  if (idx < 0 && (h.flags & kFlagRetransmit) && answer_from_cache(job, key, tree, hm.ingress_port)) {
    agg_queue_.pop_front();
    ++stats_.retransmits_answered;
    const uint32_t port = hm.ingress_port;
    head.release();
    fifo_release(port);
    return true;
  }
  const bool has_partial = idx >= 0;
  // The SRAM read is issued early enough that its data meets the adder tree as it frees up.
  const uint64_t lookahead = has_partial ? sram.latency() : 0;
  if (adders.free_at() > now_c + lookahead) {
    engine_wake_pending_ = true;
    events.schedule(clk_.cycles(adders.free_at() - lookahead), this, engine_wake);
    return false;
  }
  if (idx < 0) {
    idx = sram.allocate(key, job.ctx, now_c);
    if (idx < 0) {  // no free slot in this job's share: park it and hold its port back
      agg_queue_.pop_front();
      AccelPacketState st = accel_state(hm);
      if (!st.parked_ps) {
        st.parked_ps = to_ps(sc_core::sc_time_stamp());
        set_accel_state(hm, st);
        ++stats_.slot_stalls;
      }
      job.parked.push_back(&head);
      ++blocked_[hm.ingress_port];
      trace_value(tv_parked, ++parked_total_);
      return true;
    }
    Slot& s = sram.slot(idx);
    s.count = h.count;
    s.type = h.type;
    s.ecn = hm.dec.ecn;
    s.first_hdr = h;
    s.group = hm.dec.dst_ip;
    trace_value(tv_slots_used, sram.in_use());
  }
  Slot& s = sram.slot(idx);

  // Gather the operands of this pass: the partial sum, then queued contributions of the same slot from
  // distinct children, up to the tree's fan-in.
  const uint8_t* ops[64];
  tlm_generic_payload* taken[64];
  uint32_t k = 0, n = 0;
  if (has_partial) ops[k++] = sram.data(idx);
  uint64_t seen = s.children_seen;
  for (auto it = agg_queue_.begin(); it != agg_queue_.end() && k < cfg_.fan_in; ++it) {
    PacketMeta& m = meta(**it);
    const PanamaHeader& hh = m.dec.hdr;
    const uint64_t bit = 1ull << m.ingress_port;
    if (SlotKey::of(hh).packed() != key || (seen & bit) ||
        hh.count != s.count || hh.type != s.type)
      break;  // the tree only combines a contiguous run of the head's slot
    seen |= bit;
    ops[k++] = (*it)->get_data_ptr() + kElementsOffset;
    taken[n++] = *it;
  }

  const uint32_t payload = uint32_t(s.count) * element_bytes(s.type);
  uint64_t data_ready = now_c;
  if (has_partial) {
    const uint64_t rs = sram.reserve_read(std::max(now_c, s.ready_cycle), payload);
    trace_interval(tv_sram_read_busy, rs, rs + sram.beats(payload));
    data_ready = rs + sram.latency();
  }
  const AdderTree::Pass pass = adders.reserve(data_ready, s.count);
  trace_interval(tv_adder_busy, pass.start, pass.start + pass.occupancy);
  adders.reduce(s.type, sram.data(idx), ops, k, s.count);

  // Slot-table update: children bitmap, ECN (CE wins), smallest cwnd_cap.
  const ps_t now = to_ps(sc_core::sc_time_stamp());
  for (uint32_t i = 0; i < n; ++i) {
    PacketMeta& m = meta(*taken[i]);
    s.children_seen |= 1ull << m.ingress_port;
    ++s.contributions;
    if (m.dec.ecn == kEcnCe) s.ecn = kEcnCe;
    if (m.dec.hdr.flags & kFlagRetransmit) s.retransmitted = true;
    s.cwnd_cap = std::min(s.cwnd_cap, m.dec.hdr.cwnd_cap);
    ++stats_.contributions;
    stats_.contribution_bytes += taken[i]->get_data_length();
    stats_.last_absorb_ps = now;
    const ps_t parked = accel_state(m).parked_ps;
    if (parked) stats_.slot_stall_cycles += clk_.cycles_ceil(now - parked);
    agg_queue_.pop_front();
  }
  trace_value(tv_last_seq_issued, h.seq);
  const bool complete = s.children_seen == tree.children_mask;
  if (complete) {
    // The completing contribution's latency runs to the result's departure; its arrival rides on the slot.
    s.completing = true;
    s.completing_arrival = clk_.edge_at_or_after(accel_state(meta(*taken[n - 1])).arrival_ps);
    events.schedule(clk_.cycles(pass.head_done), this, pass_done, nullptr, uint64_t(idx));
  } else {
    const uint64_t ws = sram.reserve_write(pass.head_done, payload);
    trace_interval(tv_sram_write_busy, ws, ws + sram.beats(payload));
    s.ready_cycle = ws + sram.beats(payload);
  }
  for (uint32_t i = 0; i < n; ++i) {
    PacketMeta& m = meta(*taken[i]);
    if (!complete || i + 1 < n)
      stats_.latency_cycles.add(double(pass.head_done - clk_.edge_at_or_after(accel_state(m).arrival_ps)));
    const uint32_t port = m.ingress_port;
    taken[i]->release();
    fifo_release(port);
  }
  return true;
}

void Accelerator::complete_slot(int32_t idx) {
  Slot& s = sram.slot(idx);
  if (!s.in_use || !s.completing) return;  // its job was removed meanwhile
  const SlotKey k = SlotKey::unpack(s.key);
  JobState& job = jobs_.at(k.job);
  const TreeSpec& tree = *job.tree(k.tree);
  const uint64_t origin_cycle = s.completing_arrival;

  // Build the aggregated packet from the slot's bytes before the slot is recycled.
  tlm_generic_payload* out = pool_.allocate(aggregation_frame_bytes(s.count, s.type));
  PanamaHeader h = s.first_hdr;
  // A partial rebuilt from retransmissions keeps the flag, so a parent that already completed the slot
  // answers from its cache instead of opening a slot no other child will fill.
  h.flags = tree.is_root ? kFlagResult : (s.retransmitted ? kFlagRetransmit : 0);
  h.worker = 0xffff;
  AggregationAddressing a;
  a.src_mac = node_mac(0);
  a.src_ip = 0;
  a.dst_ip = s.group;
  a.ecn = s.ecn;
  sram.release(idx, now_cycle());
  // cwnd_cap: the smallest per-tree job memory on the path, this accelerator's included. A worker's
  // window counts its own outstanding slots of the tree, so a window within this bound keeps the slots
  // a job holds here within its share: the memory never overflows (docs/protocol.md).
  h.cwnd_cap = uint16_t(std::min<uint32_t>({s.cwnd_cap, tree_slots(job.spec.job), 0xffffu}));
  size_t len = encode_aggregation(out->get_data_ptr(), PacketPool::capacity(*out), a, h, sram.data(idx));
  out->set_data_length(uint32_t(len));
  cache_result(job, s.key, *out);
  meta(*out).from_accelerator = true;
  {
    AccelPacketState st;
    st.latency_pending = true;
    st.latency_origin_ps = clk_.cycles(origin_cycle);
    set_accel_state(meta(*out), st);
  }
  trace_value(tv_slots_used, sram.in_use());
  trace_value(tv_last_seq_completed, h.seq);

  const ps_t now = to_ps(sc_core::sc_time_stamp());
  if (tree.is_root) {
    ++stats_.results_emitted;
    bool first = true;
    for (uint32_t lane = 0; lane < cfg_.ports; ++lane) {
      if (!(tree.down_mask & (1ull << lane))) continue;
      tlm_generic_payload* copy = first ? out : clone_packet(pool_, *out);
      if (!first) set_accel_state(meta(*copy), AccelPacketState{});  // one latency sample per result
      first = false;
      egress.enqueue(lane, copy, EgressMux::aggregation, now);
    }
    if (first) out->release();  // a root with no down lanes: nobody to tell (counted as emitted)
  } else {
    ++stats_.partials_emitted;
    egress.enqueue(tree.up_lane, out, EgressMux::aggregation, now);
  }
  unpark_all();
}

void Accelerator::cache_result(JobState& job, uint64_t key, const tlm_generic_payload& out) {
  const size_t cap = cfg_.result_cache_slots ? cfg_.result_cache_slots : sram.share();
  if (!cap) return;
  JobState::TreeCache& tc = job.cache[SlotKey::unpack(key).tree];
  if (tc.ring.size() < cap) tc.ring.resize(cap);
  if (tc.next >= tc.ring.size()) tc.next = 0;
  JobState::CachedResult& c = tc.ring[tc.next];
  if (!c.frame.empty()) job.cache_index.erase(c.key);
  c.key = key;
  c.frame.assign(out.get_data_ptr(), out.get_data_ptr() + out.get_data_length());
  job.cache_index[key] = tc.next;
  tc.next = (tc.next + 1) % tc.ring.size();
}

bool Accelerator::answer_from_cache(JobState& job, uint64_t key, const TreeSpec& tree, uint32_t ingress_port) {
  auto it = job.cache_index.find(key);
  if (it == job.cache_index.end()) return false;
  const JobState::CachedResult& c = job.cache[SlotKey::unpack(key).tree].ring[it->second];
  tlm_generic_payload* gp = pool_.allocate(c.frame.size());
  std::memcpy(gp->get_data_ptr(), c.frame.data(), c.frame.size());
  gp->set_data_length(uint32_t(c.frame.size()));
  // A re-sent partial carries the retransmit flag, so a parent whose slot already completed answers it
  // from its cache instead of opening a new slot that no other child will ever fill.
  if (!tree.is_root) set_flags(gp->get_data_ptr(), uint8_t(get_flags(gp->get_data_ptr()) | kFlagRetransmit));
  meta(*gp).from_accelerator = true;
  // A root answers the child that asked; an inner node re-sends its partial sum to the parent, which
  // either still waits for it or answers from its own cache.
  egress.enqueue(tree.is_root ? ingress_port : tree.up_lane, gp, EgressMux::aggregation, to_ps(sc_core::sc_time_stamp()));
  return true;
}

void Accelerator::unpark_all() {
  // Parked contributions are older than anything queued: they go back to the front, in order.
  bool any = false;
  for (auto& [id, job] : jobs_) {
    while (!job.parked.empty()) {
      tlm_generic_payload* gp = job.parked.back();
      job.parked.pop_back();
      --blocked_[meta(*gp).ingress_port];
      agg_queue_.push_front(gp);
      trace_value(tv_parked, --parked_total_);
      any = true;
    }
  }
  if (!any) return;
  engine_kick();
  for (uint32_t p = 0; p < cfg_.ports; ++p) try_release_held(p);
}

void Accelerator::on_event(uint32_t kind, void* ptr, uint64_t arg) {
  switch (kind) {
    case parser_out: on_parser_out(*static_cast<tlm_generic_payload*>(ptr)); break;
    case engine_wake:
      engine_wake_pending_ = false;
      engine_kick();
      break;
    case pass_done: complete_slot(int32_t(arg)); break;
    case trace_add: tv_[arg >> 32] += int32_t(uint32_t(arg)); break;
    case trace_snapshot:  // the window opens: levels start from the model's real state
      tv_[tv_slots_used] = sram.in_use();
      tv_[tv_agg_queue] = int64_t(agg_queue_.size());
      tv_[tv_parked] = parked_total_;
      tv_[tv_ingress_fifo] = fifo_total_;
      tv_[tv_egress_busy] = egress.busy_lanes();
      break;
  }
}

// ---------------------------------------------------------------- egress

void Accelerator::on_departure(uint32_t, tlm_generic_payload& gp) {
  PacketMeta& m = meta(gp);
  ++stats_.tx_frames;
  stats_.tx_bytes += gp.get_data_length();
  trace_value(tv_egress_busy, egress.busy_lanes());
  AccelPacketState st = accel_state(m);
  if (st.latency_pending) {
    const uint64_t now_c = clk_.edge_at_or_after(to_ps(sc_core::sc_time_stamp()));
    stats_.latency_cycles.add(double(now_c - st.latency_origin_ps / clk_.period_ps()));
    st.latency_pending = false;
    set_accel_state(m, st);
  }
  if (!m.from_accelerator) fifo_release(m.ingress_port);  // a pass-through frame frees its FIFO entry
}

bool Accelerator::transmit(uint32_t lane, tlm_generic_payload& gp) {
  if (lane >= uint32_t(tx.size()))
    SC_REPORT_ERROR(name(), "egress lane has no bound tx socket");
  tlm::tlm_phase ph = tlm::BEGIN_REQ;
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const bool aggregated = meta(gp).from_accelerator;
  if (tx[lane]->nb_transport_fw(gp, ph, d) == tlm::TLM_ACCEPTED) {
    held_out_[lane] = &gp;  // (only aggregated output is ever held: see PSwitch)
    return false;
  }
  gp.release();
  trace_value(tv_egress_busy, egress.busy_lanes() - 1);
  if (aggregated) wake_engine_after_egress();
  return true;
}

void Accelerator::wake_engine_after_egress() {
  if (!engine_wait_egress_) return;
  engine_wait_egress_ = false;
  engine_kick();
}

tlm::tlm_sync_enum Accelerator::nb_transport_bw(int lane, tlm_generic_payload&, tlm::tlm_phase& ph,
                                                sc_core::sc_time&) {
  if (ph == tlm::BEGIN_RESP && held_out_[lane]) {
    held_out_[lane]->release();
    held_out_[lane] = nullptr;
    egress.resume(uint32_t(lane), EgressMux::aggregation);
    wake_engine_after_egress();
  }
  return tlm::TLM_COMPLETED;
}

// ---------------------------------------------------------------- waveforms

void Accelerator::trace(sc_core::sc_trace_file* tf, ps_t from_ps, ps_t to_ps) {
  static const char* names[tv_count] = {"parser_busy",  "sram_read_busy", "sram_write_busy", "adder_busy",
                                        "egress_busy",  "sram_slots_used", "agg_queue_depth", "parked",
                                        "ingress_fifo", "last_seq_issued", "last_seq_completed"};
  for (uint32_t i = 0; i < tv_count; ++i) sc_core::sc_trace(tf, tv_[i], std::string(name()) + "." + names[i]);
  tracing_ = true;
  trace_from_ = from_ps;
  trace_to_ = to_ps;
  events.schedule(from_ps, this, trace_snapshot);
}

void Accelerator::trace_interval(TraceVar v, uint64_t start_cycle, uint64_t end_cycle) {
  if (!tracing_) return;
  const ps_t a = clk_.cycles(start_cycle), b = clk_.cycles(end_cycle);
  if (b <= trace_from_ || a >= trace_to_) return;
  events.schedule(std::max(a, trace_from_), this, trace_add, nullptr, (uint64_t(v) << 32) | 1u);
  events.schedule(std::min(b, trace_to_), this, trace_add, nullptr, (uint64_t(v) << 32) | uint32_t(-1));
}

void Accelerator::trace_value(TraceVar v, int64_t value) {
  if (!tracing_) return;
  const ps_t now = to_ps(sc_core::sc_time_stamp());
  if (now < trace_from_ || now >= trace_to_) return;
  tv_[v] = value;
}

}  // namespace panama
