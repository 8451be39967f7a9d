#include "transport/ring_allreduce.h"

#include "common/config.h"
#include "network/topology.h"

#include <algorithm>
#include <stdexcept>

namespace panama {

void RingConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add(p + ".chunks_per_step", &chunks_per_step,
          "sub-chunks (flows, sent one after another) per ring step; >1 pipelines consecutive steps", 1, 1 << 16);
}

RingAllReduce::RingAllReduce(Fabric& fabric, DctcpTransport& tcp, std::vector<uint32_t> workers,
                             uint64_t gradient_bytes, const RingConfig& cfg, uint64_t tag)
    : fabric_(fabric), tcp_(tcp), workers_(std::move(workers)), gradient_bytes_(gradient_bytes), cfg_(cfg), tag_(tag) {
  const uint32_t n = uint32_t(workers_.size());
  if (n < 2) throw std::invalid_argument("ring all-reduce: needs at least 2 workers");
  if (cfg_.chunks_per_step < 1) throw std::invalid_argument("ring all-reduce: chunks_per_step must be >= 1");
  if (gradient_bytes_ < uint64_t(n) * cfg_.chunks_per_step)
    throw std::invalid_argument("ring all-reduce: gradient of " + std::to_string(gradient_bytes_) +
                                " B is too small for " + std::to_string(n) + " workers x " +
                                std::to_string(cfg_.chunks_per_step) + " sub-chunks (every flow needs a byte)");
  rank_of_host_.assign(fabric_.hosts.size(), -1);
  for (uint32_t r = 0; r < n; ++r) {
    const uint32_t h = workers_[r];
    if (h >= fabric_.hosts.size())
      throw std::invalid_argument("ring all-reduce: worker host " + std::to_string(h) + " does not exist");
    if (rank_of_host_[h] >= 0)
      throw std::invalid_argument("ring all-reduce: host " + std::to_string(h) + " appears twice in the ring");
    rank_of_host_[h] = int32_t(r);
  }
  units_ = num_steps() * cfg_.chunks_per_step;
  next_unit_.assign(n, 0);
  sent_done_.assign(n, 0);
  received_.assign(n, 0);
  in_flight_.assign(n, 0);
  window_.assign(n, 0.0);
  sent_bytes_.assign(n, 0);
  total_sent_bytes_.assign(n, 0);
  sent_flows_.assign(n, 0);
  steps_.assign(n, std::vector<RingStepRecord>(num_steps()));
  tcp_.add_observer(this);
}

uint32_t RingAllReduce::chunk_of(uint32_t rank, uint32_t step) const {
  const uint32_t n = num_workers();
  if (step < n - 1) return (rank + n - step) % n;           // reduce-scatter: r - s
  const uint32_t a = step - (n - 1);
  return (rank + 1 + n - a) % n;                            // all-gather: r + 1 - a
}

uint64_t RingAllReduce::expected_bytes(uint32_t rank) const {
  const uint32_t n = num_workers();
  return 2 * gradient_bytes_ - chunk_bytes((rank + 1) % n) - chunk_bytes((rank + 2) % n);
}

void RingAllReduce::start(ps_t at) {
  if (running_) throw std::logic_error("ring all-reduce: start() while an all-reduce is running");
  const uint32_t n = num_workers();
  running_ = true;
  ++iterations_;
  start_ps_ = std::max(at, fabric_.ctx.now());
  finish_ps_ = 0;
  ranks_done_ = 0;
  std::fill(next_unit_.begin(), next_unit_.end(), 0);
  std::fill(sent_done_.begin(), sent_done_.end(), 0);
  std::fill(received_.begin(), received_.end(), 0);
  std::fill(sent_bytes_.begin(), sent_bytes_.end(), 0);
  std::fill(sent_flows_.begin(), sent_flows_.end(), 0);
  for (auto& s : steps_) std::fill(s.begin(), s.end(), RingStepRecord{});
  for (uint32_t r = 0; r < n; ++r) try_send(r, start_ps_);
}

// Starts the rank's next unit if nothing of its own is in flight and the data it forwards has arrived.
void RingAllReduce::try_send(uint32_t r, ps_t at) {
  const uint32_t u = next_unit_[r];
  const uint32_t p = cfg_.chunks_per_step;
  if (!running_ || u >= units_ || u != sent_done_[r]) return;
  if (u >= p && received_[r] < u - p + 1) return;  // sub-chunk j of step s - 1 not yet here
  const uint32_t step = u / p, sub = u % p;
  const uint32_t chunk = chunk_of(r, step);
  const uint64_t bytes = split(chunk_bytes(chunk), p, sub);
  RingStepRecord& rec = steps_[r][step];
  if (sub == 0) {
    rec.start_ps = at;
    rec.chunk = chunk;
  }
  rec.bytes += bytes;
  sent_bytes_[r] += bytes;
  total_sent_bytes_[r] += bytes;
  ++sent_flows_[r];
  const uint32_t n = num_workers();
  // Each unit is a message on the rank's persistent connection to its successor: it starts with the
  // window the previous one ended with (no slow start per step, as NCCL's and Gloo's long-lived
  // connections), the first with the transport's initial window.
  in_flight_[r] = tcp_.start_flow(*fabric_.hosts[workers_[r]], *fabric_.hosts[workers_[(r + 1) % n]], bytes, at, tag_,
                                  window_[r]);
  ++next_unit_[r];
}

void RingAllReduce::on_flow_complete(const FlowRecord& f) {
  if (f.tag != tag_ || !running_ || f.src >= rank_of_host_.size()) return;
  const int32_t rr = rank_of_host_[f.src];
  if (rr < 0) return;
  const uint32_t r = uint32_t(rr);
  if (next_unit_[r] == sent_done_[r] || in_flight_[r] != f.id) return;  // another instance's flow
  const uint32_t n = num_workers(), p = cfg_.chunks_per_step, q = (r + 1) % n;
  const ps_t now = f.finish_ps;

  window_[r] = tcp_.flow(f.id).win.cwnd;  // the connection's window, for the next unit
  // The sender's unit is done...
  const uint32_t u = sent_done_[r]++;
  if (u % p == p - 1) {
    RingStepRecord& s = steps_[r][u / p];
    s.send_done_ps = now;
    s.end_ps = std::max(s.send_done_ps, s.recv_done_ps);
  }
  if (sent_done_[r] == units_ && received_[r] == units_) ++ranks_done_;
  // ...and the successor has received it (sender-side completion, see the header).
  const uint32_t v = received_[q]++;
  if (v % p == p - 1) {
    RingStepRecord& s = steps_[q][v / p];
    s.recv_done_ps = now;
    s.end_ps = std::max(s.send_done_ps, s.recv_done_ps);
  }
  if (received_[q] == units_ && sent_done_[q] == units_) ++ranks_done_;

  try_send(r, now);
  try_send(q, now);
  check_done(now);
}

void RingAllReduce::check_done(ps_t now) {
  if (ranks_done_ < num_workers()) return;
  running_ = false;
  finish_ps_ = now;
  if (on_done_) fabric_.events.schedule(now, this, ev_done, nullptr, iterations_);
}

void RingAllReduce::on_event(uint32_t kind, void*, uint64_t arg) {
  if (kind == ev_done && on_done_) on_done_->on_event(on_done_kind_, this, arg);
}

nlohmann::json RingAllReduce::to_json() const {
  nlohmann::json ranks = nlohmann::json::array();
  for (uint32_t r = 0; r < num_workers(); ++r) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : steps_[r])
      steps.push_back(nlohmann::json{{"chunk", s.chunk},
                                     {"bytes", s.bytes},
                                     {"start_ps", s.start_ps},
                                     {"send_done_ps", s.send_done_ps},
                                     {"recv_done_ps", s.recv_done_ps},
                                     {"end_ps", s.end_ps}});
    ranks.push_back(nlohmann::json{{"host", workers_[r]},
                                   {"bytes_sent", sent_bytes_[r]},
                                   {"flows", sent_flows_[r]},
                                   {"steps", steps}});
  }
  return nlohmann::json{{"workers", num_workers()},
                        {"gradient_bytes", gradient_bytes_},
                        {"chunks_per_step", cfg_.chunks_per_step},
                        {"iterations", iterations_},
                        {"start_ps", start_ps_},
                        {"finish_ps", finish_ps_},
                        {"duration_ps", finish_ps_ - start_ps_},
                        {"ranks", ranks}};
}

}  // namespace panama
