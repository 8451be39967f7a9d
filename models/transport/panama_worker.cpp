#include "transport/panama_worker.h"

#include "common/config.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace panama {

using tlm::tlm_generic_payload;

void PanamaWorkerConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add(p + ".init_cwnd", &init_cwnd, "initial window per aggregation tree, packets", 1, 65535);
  reg.add(p + ".g", &g, "DCTCP alpha gain of the worker window", 0.0, 1.0);
  reg.add(p + ".alpha_init", &alpha_init, "alpha before the first estimate", 0.0, 1.0);
  reg.add(p + ".timeout_us", &timeout_us, "retransmission timeout of an unanswered packet, us", 1.0, 1e9);
  reg.add(p + ".max_timeout_us", &max_timeout_us, "retransmission timeout cap after backoff, us", 1.0, 1e9);
  reg.add(p + ".use_cwnd_cap", &use_cwnd_cap, "bound the window by the cwnd_cap of results (false: baseline)");
  reg.add(p + ".max_window", &max_window, "window bound per tree, packets", 1, 1u << 24);
  reg.add(p + ".elements_per_packet", &elements_per_packet, "elements per packet (0 = as many as the MTU allows)", 0,
          4096);
  reg.add(p + ".verify", &verify, "check every result against the exact expected sum");
}

void PanamaWorkerConfig::validate(const std::string& p) const {
  config_require(max_timeout_us >= timeout_us, p + ".max_timeout_us", "must be at least " + p + ".timeout_us");
  config_require(elements_per_packet <= max_elements_for_mtu(kMtuBytes, ElementType::fp32), p + ".elements_per_packet",
                 "must fit a 1500-byte MTU (at most 362 FP32 elements)");
}

nlohmann::json PanamaWorkerStats::to_json() const {
  return nlohmann::json{{"sent", sent},         {"retransmits", retransmits}, {"timeouts", timeouts},
                        {"results", results},   {"results_ce", results_ce},   {"duplicates", duplicates},
                        {"stale", stale},       {"mismatches", mismatches},   {"verified", verified},
                        {"result_bytes", result_bytes}, {"iterations_done", iterations_done},
                        {"start_ps", start_ps}, {"finish_ps", finish_ps}};
}

float PanamaWorker::element_value(uint32_t rank, uint32_t seq, uint32_t element, uint32_t iteration) {
  const uint32_t c = pattern_phase(seq, element, iteration);
  return float(int32_t((37u * rank + c) & 255u) - 128) / 256.0f;
}

PanamaWorker::PanamaWorker(Host& host, const JobPlan& plan, uint32_t rank, uint64_t gradient_bytes,
                           const PanamaWorkerConfig& cfg)
    : host_(host), plan_(plan), rank_(rank), gradient_bytes_(gradient_bytes), cfg_(cfg) {
  cfg_.validate();
  law_ = DctcpLaw{cfg_.g, 1.0, 1.0, true};
  if (!plan_.aggregated || plan_.trees.empty())
    throw std::invalid_argument("PanamaWorker: job " + std::to_string(plan_.job) + " has no aggregation trees (" +
                                plan_.fallback_reason + ")");
  if (plan_.type != ElementType::fp32)
    throw std::invalid_argument("PanamaWorker: only FP32 gradients are modelled (exact-sum patterns)");
  if (rank_ >= plan_.workers.size() || plan_.workers[rank_] != host.index())
    throw std::invalid_argument("PanamaWorker: host " + std::to_string(host.index()) + " is not rank " +
                                std::to_string(rank_) + " of job " + std::to_string(plan_.job));
  if (gradient_bytes_ < 4) throw std::invalid_argument("PanamaWorker: gradient smaller than one FP32 element");
  epp_ = cfg_.elements_per_packet ? cfg_.elements_per_packet : max_elements_for_mtu(kMtuBytes, ElementType::fp32);
  elements_ = uint32_t((gradient_bytes_ + 3) / 4);
  packets_ = (elements_ + epp_ - 1) / epp_;
  const uint32_t T = uint32_t(plan_.trees.size());
  trees_.resize(T);
  for (uint32_t i = 0; i < T; ++i) {
    Tree& t = trees_[i];
    t.id = plan_.trees[i].tree;
    t.group = plan_.trees[i].group;
    t.count = packets_ / T + (i < packets_ % T ? 1 : 0);
    t.cap = cfg_.use_cwnd_cap && plan_.trees[i].per_tree_slots ? uint16_t(std::min<uint32_t>(plan_.trees[i].per_tree_slots, 0xffff))
                                                               : uint16_t(0xffff);
    t.win.alpha = cfg_.alpha_init;
    t.win.ssthresh = double(cfg_.max_window);
    t.win.cwnd = double(cfg_.init_cwnd);
    t.win.cwnd = std::min(t.win.cwnd, double(window_of(t)));  // initial cap
  }
  acked_.assign(packets_, 0);
  resent_.assign(packets_, 0);
  sent_at_.assign(packets_, 0);
  timeout_ps_ = ps_t(cfg_.timeout_us * 1e6);
  max_timeout_ps_ = ps_t(cfg_.max_timeout_us * 1e6);
  for (Tree& t : trees_) t.rto_ps = double(timeout_ps_);
  build_expected();
  next_ = host_.receiver();
  host_.set_receiver(this);
}

PanamaWorker::~PanamaWorker() {
  if (host_.receiver() == this) host_.set_receiver(next_);
}

void PanamaWorker::build_expected() {
  const uint32_t n = plan_.fan_in();
  std::array<std::array<uint8_t, 4>, 256> value{}, expect{};  // wire bytes per phase
  for (uint32_t c = 0; c < 256; ++c) {
    float v = float(int32_t((37u * rank_ + c) & 255u) - 128) / 256.0f;
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    store_be32(value[c].data(), bits);
    double sum = 0;  // exact: integers / 256
    for (uint32_t r = 0; r < n; ++r) sum += double(int32_t((37u * r + c) & 255u) - 128) / 256.0;
    float s = float(sum);
    std::memcpy(&bits, &s, 4);
    store_be32(expect[c].data(), bits);
  }
  const size_t len = 256 + size_t(epp_);
  value_stream_be_.resize(len * 4);
  expect_stream_be_.resize(len * 4);
  for (size_t i = 0; i < len; ++i) {
    const uint32_t c = uint32_t(3 * i) & 255u;
    std::memcpy(&value_stream_be_[4 * i], value[c].data(), 4);
    std::memcpy(&expect_stream_be_[4 * i], expect[c].data(), 4);
  }
}

uint32_t PanamaWorker::window_of(const Tree& t) const {
  uint32_t limit = cfg_.max_window;
  if (cfg_.use_cwnd_cap) limit = std::min<uint32_t>(limit, std::max<uint16_t>(t.cap, 1));
  return std::max<uint32_t>(1, std::min<uint32_t>(limit, uint32_t(t.win.cwnd)));
}

PanamaTreeStats PanamaWorker::tree_stats(uint32_t i) const {
  PanamaTreeStats s = trees_.at(i).st;
  s.cwnd = trees_[i].win.cwnd;
  s.alpha = trees_[i].win.alpha;
  return s;
}

std::vector<uint32_t> PanamaWorker::unanswered(size_t max) const {
  std::vector<uint32_t> v;
  if (!running_) return v;
  for (uint32_t p = 0; p < packets_ && v.size() < max; ++p)
    if (!acked_[p]) v.push_back(p);
  return v;
}

void PanamaWorker::start(uint32_t iteration, ps_t at, uint64_t bytes) {
  if (running_) throw std::logic_error("PanamaWorker::start: an all-reduce is still running");
  if (released_) throw std::logic_error("PanamaWorker::start: the worker's buffers were released");
  if (bytes > gradient_bytes_ || (bytes && bytes < 4))
    throw std::logic_error("PanamaWorker::start: " + std::to_string(bytes) + " B is not a part of the gradient");
  next_bytes_ = bytes ? bytes : gradient_bytes_;
  running_ = true;
  host_.ctx().events.schedule(at, this, ev_start, nullptr, iteration);
}

void PanamaWorker::release_buffers() {
  if (running_) throw std::logic_error("PanamaWorker::release_buffers: an all-reduce is still running");
  released_ = true;  // (packets_ stays for the statistics; nothing indexes the vectors while !running_)
  std::vector<uint8_t>().swap(acked_);
  std::vector<uint8_t>().swap(resent_);
  std::vector<ps_t>().swap(sent_at_);
  std::vector<uint8_t>().swap(value_stream_be_);
  std::vector<uint8_t>().swap(expect_stream_be_);
}

void PanamaWorker::on_event(uint32_t kind, void* ptr, uint64_t arg) {
  switch (kind) {
    case ev_start: {
      iteration_ = uint32_t(arg);
      // This all-reduce's packets: the first next_bytes_ of the gradient, spread over the trees as the
      // constructor spreads the whole gradient's.
      elements_ = uint32_t((next_bytes_ + 3) / 4);
      packets_ = (elements_ + epp_ - 1) / epp_;
      for (uint32_t i = 0, T = uint32_t(trees_.size()); i < T; ++i)
        trees_[i].count = packets_ / T + (i < packets_ % T ? 1 : 0);
      std::fill(acked_.begin(), acked_.end(), 0);
      std::fill(resent_.begin(), resent_.end(), 0);
      acked_count_ = 0;
      stats_.start_ps = host_.ctx().now();
      stats_.finish_ps = 0;
      for (Tree& t : trees_) {
        t.next = 0;
        t.una = 0;
        t.outstanding = 0;
        while (!t.inflight.empty()) t.inflight.pop_front();
        t.win.win_end = 0;  // (ordinals restart: the windows with them)
        t.win.cwr_end = 0;
        t.st.packets += t.count;
      }
      for (Tree& t : trees_) pump(t);
      break;
    }
    case ev_timer: {
      Tree& t = *static_cast<Tree*>(ptr);
      t.timer_pending = false;
      on_timer(t);
      break;
    }
    default: break;
  }
}

void PanamaWorker::pump(Tree& t) {
  if (!running_) return;
  const uint32_t T = uint32_t(trees_.size());
  const uint32_t idx = uint32_t(&t - trees_.data());
  const uint32_t w = window_of(t);
  while (t.next - t.una < w && t.next < t.count) {
    send_packet(t.next * T + idx, false);
    ++t.next;
    ++t.outstanding;
  }
  t.st.max_outstanding = std::max(t.st.max_outstanding, t.outstanding);
  if (!t.timer_pending && !t.inflight.empty()) arm_timer(t, t.inflight.front().second + ps_t(t.rto_ps));
}

void PanamaWorker::send_packet(uint32_t p, bool retransmit) {
  Tree& t = trees_[p % trees_.size()];
  const uint32_t first = p * epp_;
  const uint32_t count = std::min(epp_, elements_ - first);
  tlm_generic_payload* gp = host_.ctx().pool.allocate(aggregation_frame_bytes(count, ElementType::fp32));
  AggregationAddressing a;
  a.src_mac = host_.mac();
  a.src_ip = host_.ip();
  a.dst_ip = t.group;
  a.ip_id = ip_id_++;
  a.ecn = kEcnEct0;
  PanamaHeader h;
  h.flags = retransmit ? kFlagRetransmit : 0;
  h.type = ElementType::fp32;
  h.tree = t.id;
  h.job = plan_.job;
  h.fan_in = plan_.fan_in();
  h.seq = p;
  h.count = uint16_t(count);
  h.iteration = iteration_;
  h.worker = uint16_t(rank_);
  uint8_t* buf = gp->get_data_ptr();
  const size_t len = encode_aggregation(buf, PacketPool::capacity(*gp), a, h, nullptr);
  uint8_t* el = buf + kElementsOffset;
  std::memcpy(el, value_stream_be_.data() + stream_offset(pattern_phase(p, 0, iteration_)), size_t(count) * 4);
  gp->set_data_length(uint32_t(len));
  const ps_t now = host_.ctx().now();
  sent_at_[p] = now;
  t.inflight.emplace_back(p, now);
  ++t.st.sent;
  ++stats_.sent;
  if (retransmit) {
    resent_[p] = 1;
    ++t.st.retransmits;
    ++stats_.retransmits;
  }
  host_.send(gp);
}

void PanamaWorker::arm_timer(Tree& t, ps_t at) {
  t.timer_pending = true;
  t.timer_at = at;
  host_.ctx().events.schedule(at, this, ev_timer, &t);
}

void PanamaWorker::on_timer(Tree& t) {
  if (!running_) return;
  auto stale = [&](const std::pair<uint32_t, ps_t>& e) { return acked_[e.first] || sent_at_[e.first] != e.second; };
  while (!t.inflight.empty() && stale(t.inflight.front())) t.inflight.pop_front();
  if (t.inflight.empty()) return;
  const ps_t now = host_.ctx().now();
  if (t.inflight.front().second + ps_t(t.rto_ps) <= now) {
    // Timeout: re-send every packet of the tree whose deadline passed, back off, halve the window.
    ++t.st.timeouts;
    ++stats_.timeouts;
    const ps_t rto = ps_t(t.rto_ps);
    while (!t.inflight.empty() && t.inflight.front().second + rto <= now) {
      auto e = t.inflight.front();
      t.inflight.pop_front();
      if (!stale(e)) send_packet(e.first, true);
    }
    t.rto_ps = std::min(2.0 * t.rto_ps, double(max_timeout_ps_));
    t.win.cwnd = std::max(1.0, t.win.cwnd / 2);
    t.win.ssthresh = t.win.cwnd;
    while (!t.inflight.empty() && stale(t.inflight.front())) t.inflight.pop_front();
  }
  if (!t.inflight.empty()) arm_timer(t, t.inflight.front().second + ps_t(t.rto_ps));
}

void PanamaWorker::on_packet(Host& host, tlm_generic_payload& gp, const DecodedPacket& d) {
  if (d.cls == PacketClass::aggregation && (d.hdr.flags & kFlagResult) && d.hdr.job == plan_.job) {
    on_result(gp, d);
    return;
  }
  if (next_) next_->on_packet(host, gp, d);
}

void PanamaWorker::on_result(tlm_generic_payload& gp, const DecodedPacket& d) {
  const uint32_t p = d.hdr.seq;
  if (!running_ || d.hdr.iteration != iteration_ || p >= packets_) {
    ++stats_.stale;
    return;
  }
  Tree& t = trees_[p % trees_.size()];
  if (acked_[p]) {
    ++stats_.duplicates;
    ++t.st.duplicates;
    return;
  }
  acked_[p] = 1;
  ++acked_count_;
  --t.outstanding;
  {
    const uint32_t T = uint32_t(trees_.size()), idx = p % T;
    while (t.una < t.count && acked_[size_t(t.una) * T + idx]) ++t.una;
  }
  const bool ce = d.ecn == kEcnCe;
  ++stats_.results;
  ++t.st.results;
  if (ce) {
    ++stats_.results_ce;
    ++t.st.results_ce;
  }
  const uint32_t count = std::min(epp_, elements_ - p * epp_);
  stats_.result_bytes += uint64_t(count) * 4;
  if (cfg_.verify) {
    ++stats_.verified;
    bool bad = d.hdr.count != count || gp.get_data_length() < kElementsOffset + size_t(count) * 4;
    if (!bad) {
      const uint8_t* el = gp.get_data_ptr() + kElementsOffset;
      bad = std::memcmp(el, expect_stream_be_.data() + stream_offset(pattern_phase(p, 0, iteration_)), size_t(count) * 4) != 0;
    }
    if (bad) ++stats_.mismatches;
  }

  // Congestion control (see the header): one acknowledged packet, the cumulative point at t.una.
  t.st.min_cwnd_cap = std::min(t.st.min_cwnd_cap, d.hdr.cwnd_cap);
  if (cfg_.use_cwnd_cap) t.cap = d.hdr.cwnd_cap;
  double limit = double(cfg_.max_window);
  if (cfg_.use_cwnd_cap) limit = std::min(limit, double(std::max<uint16_t>(t.cap, 1)));
  t.win.observe(law_, t.una, 1, ce, t.next);
  t.win.grow(law_, 1, limit);
  if (t.win.react(law_, ce, t.una, t.next)) ++t.st.cwnd_cuts;
  t.win.cwnd = std::min(t.win.cwnd, limit);  // (a cap that shrank since the last result)
  t.st.cwnd_max = std::max(t.st.cwnd_max, t.win.cwnd);
  if (!resent_[p]) t.rto_ps = double(timeout_ps_);

  if (acked_count_ == packets_) {
    running_ = false;
    stats_.finish_ps = host_.ctx().now();
    ++stats_.iterations_done;
    for (Tree& x : trees_)
      while (!x.inflight.empty()) x.inflight.pop_front();
    if (on_done_) host_.ctx().events.schedule(stats_.finish_ps, on_done_, on_done_kind_, this, rank_);
    return;
  }
  pump(t);
}

nlohmann::json PanamaWorker::to_json() const {
  nlohmann::json j = stats_.to_json();
  j["rank"] = rank_;
  j["host"] = host_.index();
  j["job"] = plan_.job;
  j["packets"] = packets_;
  j["elements_per_packet"] = epp_;
  nlohmann::json tr = nlohmann::json::array();
  for (uint32_t i = 0; i < trees_.size(); ++i) {
    PanamaTreeStats s = tree_stats(i);
    tr.push_back(nlohmann::json{{"tree", trees_[i].id},       {"packets", s.packets},
                                {"sent", s.sent},             {"retransmits", s.retransmits},
                                {"timeouts", s.timeouts},     {"results", s.results},
                                {"results_ce", s.results_ce}, {"duplicates", s.duplicates},
                                {"cwnd_cuts", s.cwnd_cuts},   {"cwnd", s.cwnd},
                                {"alpha", s.alpha},           {"cwnd_max", s.cwnd_max},
                                {"max_outstanding", s.max_outstanding}, {"min_cwnd_cap", s.min_cwnd_cap}});
  }
  j["trees"] = tr;
  j["unanswered"] = unanswered();
  return j;
}

}  // namespace panama
