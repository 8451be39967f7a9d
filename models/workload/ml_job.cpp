#include "workload/ml_job.h"

#include "common/config.h"
#include "network/topology.h"
#include "transport/dctcp.h"
#include "transport/ring_allreduce.h"
#include "workload/model_table.h"

#include <stdexcept>

namespace panama {

void MlJobConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  std::vector<std::string> names;
  for (const ModelSpec& m : model_table()) names.push_back(m.name);
  reg.add_choice(p + ".model", &model, "training model (workload/model_table.h)", names);
  reg.add(p + ".compute_us", &compute_us, "compute time per iteration, us (< 0: the model's)", -1.0, 1e9);
  reg.add(p + ".iterations", &iterations, "training iterations", 1, 1u << 30);
  reg.add(p + ".overlap", &overlap, "overlap the all-reduce of iteration i with the compute of i+1");
  reg.add_choice(p + ".protocol", &protocol, "gradient all-reduce protocol",
                 {"panama", "single_tree", "panama_nocap", "ring"});
  reg.add(p + ".trees", &trees, "PANAMA trees per job (0 = controller.max_trees)", 0, 64);
  reg.add(p + ".start_us", &start_us, "job start time, us", 0.0, 1e12);
}

MlJob::MlJob(Fabric& fabric, Controller& controller, DctcpTransport* tcp, uint16_t job, std::vector<uint32_t> workers,
             const MlJobConfig& cfg, const PanamaWorkerConfig& panama, const RingConfig* ring)
    : fabric_(fabric), controller_(controller), tcp_(tcp), job_(job), workers_(std::move(workers)), cfg_(cfg) {
  const ModelSpec& m = find_model(cfg_.model);
  gradient_bytes_ = cfg_.gradient_bytes ? cfg_.gradient_bytes : m.gradient_bytes();
  compute_ps_ = ps_t((cfg_.compute_us >= 0 ? cfg_.compute_us : m.compute_ms * 1e3) * 1e6);
  if (cfg_.iterations == 0) throw std::invalid_argument("MlJob: iterations must be at least 1");

  const std::string& proto = cfg_.protocol;
  plan_.job = job_;
  plan_.workers = workers_;
  if (proto == "panama" || proto == "single_tree" || proto == "panama_nocap") {
    plan_ = controller_.admit(job_, workers_, gradient_bytes_, ElementType::fp32, proto == "single_tree" ? 1 : cfg_.trees);
  } else if (proto == "ring") {
    plan_.fallback_reason = "protocol ring";
  } else {
    throw std::invalid_argument("MlJob: unknown protocol '" + proto + "'");
  }
  if (plan_.aggregated) {
    PanamaWorkerConfig pc = panama;
    if (proto == "panama_nocap") pc.use_cwnd_cap = false;
    for (uint32_t r = 0; r < workers_.size(); ++r) {
      panama_.push_back(std::make_unique<PanamaWorker>(*fabric_.hosts.at(workers_[r]), plan_, r, gradient_bytes_, pc));
      panama_.back()->set_on_done(this, ev_worker_done);
    }
  } else {
    if (!tcp_)
      throw std::invalid_argument("MlJob " + std::to_string(job_) + ": runs the ring all-reduce (" +
                                  plan_.fallback_reason + ") but no DctcpTransport was given");
    ring_ = std::make_unique<RingAllReduce>(fabric_, *tcp_, workers_, gradient_bytes_, ring ? *ring : RingConfig{},
                                            RingAllReduce::kDefaultTag + job_);
    ring_->set_on_done(this, ev_ring_done);
  }
}

MlJob::~MlJob() = default;

void MlJob::start() { fabric_.ctx.events.schedule(ps_t(cfg_.start_us * 1e6), this, ev_start); }

void MlJob::on_event(uint32_t kind, void*, uint64_t) {
  const ps_t now = fabric_.ctx.now();
  switch (kind) {
    case ev_start:
      start_ps_ = last_end_ps_ = now;
      try_compute();
      break;
    case ev_compute_done:
      computing_ = false;
      ++computed_;
      try_allreduce();
      try_compute();
      break;
    case ev_worker_done:
      if (++workers_done_ == panama_.size()) allreduce_done();
      break;
    case ev_ring_done: allreduce_done(); break;
    default: break;
  }
}

void MlJob::try_compute() {
  if (computing_ || next_compute_ >= cfg_.iterations) return;
  // Compute i needs the weights updated by all-reduce i-1 (no overlap) or i-2 (one-step overlap).
  const uint32_t need = cfg_.overlap ? (next_compute_ >= 1 ? next_compute_ - 1 : 0) : next_compute_;
  if (reduced_ < need) return;
  if (!cfg_.overlap && reducing_) return;
  computing_ = true;
  ++next_compute_;
  fabric_.ctx.events.schedule(fabric_.ctx.now() + compute_ps_, this, ev_compute_done);
}

void MlJob::try_allreduce() {
  if (reducing_ || next_reduce_ >= computed_) return;
  reducing_ = true;
  workers_done_ = 0;
  const ps_t now = fabric_.ctx.now();
  ar_start_ps_ = now;
  if (ring_) ring_->start(now);
  else
    for (auto& w : panama_) w->start(next_reduce_, now);
  ++next_reduce_;
}

void MlJob::allreduce_done() {
  const ps_t now = fabric_.ctx.now();
  reducing_ = false;
  ++reduced_;
  allreduce_ps_.push_back(now - ar_start_ps_);
  iteration_ps_.push_back(now - last_end_ps_);
  last_end_ps_ = now;
  if (reduced_ == cfg_.iterations) {
    done_ = true;
    finish_ps_ = now;
    if (plan_.aggregated) controller_.release(job_);
    return;
  }
  try_allreduce();
  try_compute();
}

double MlJob::allreduce_gbps() const {
  ps_t t = 0;
  for (ps_t a : allreduce_ps_) t += a;
  return t ? double(gradient_bytes_) * 8.0 * double(allreduce_ps_.size()) / double(t) * 1e3 : 0.0;
}

nlohmann::json MlJob::to_json() const {
  nlohmann::json it = nlohmann::json::array(), ar = nlohmann::json::array();
  for (ps_t x : iteration_ps_) it.push_back(double(x) * 1e-6);
  for (ps_t x : allreduce_ps_) ar.push_back(double(x) * 1e-6);
  nlohmann::json j{{"job", job_},
                   {"model", cfg_.model},
                   {"protocol", cfg_.protocol},
                   {"aggregated", plan_.aggregated},
                   {"fallback_reason", plan_.fallback_reason},
                   {"trees", plan_.trees.size()},
                   {"gradient_bytes", gradient_bytes_},
                   {"compute_us", double(compute_ps_) * 1e-6},
                   {"overlap", cfg_.overlap},
                   {"iterations", cfg_.iterations},
                   {"done", done_},
                   {"total_us", double(total_ps()) * 1e-6},
                   {"iteration_us", it},
                   {"allreduce_us", ar},
                   {"allreduce_gbps", allreduce_gbps()}};
  if (!panama_.empty()) {
    nlohmann::json w = nlohmann::json::array();
    for (auto& x : panama_) w.push_back(x->to_json());
    j["workers"] = w;
  }
  return j;
}

}  // namespace panama
