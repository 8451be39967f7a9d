#include "workload/ml_job.h"

#include "common/config.h"
#include "network/topology.h"
#include "transport/dctcp.h"
#include "transport/ring_allreduce.h"
#include "workload/model_table.h"

#include <algorithm>
#include <stdexcept>

namespace panama {

void MlJobConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  std::vector<std::string> names;
  for (const ModelSpec& m : model_table()) names.push_back(m.name);
  reg.add_choice(p + ".model", &model, "training model (workload/model_table.h)", names);
  reg.add(p + ".compute_us", &compute_us, "compute time per iteration, us (< 0: the model's)", -1.0, 1e9);
  reg.add(p + ".iterations", &iterations, "training iterations", 1, 1u << 30);
  reg.add(p + ".overlap", &overlap, "overlap the all-reduce of iteration i with the compute of i+1");
  reg.add_choice(p + ".protocol", &protocol, "gradient all-reduce protocol", job_protocols());
  reg.add(p + ".trees", &trees, "PANAMA trees per job (0 = controller.max_trees)", 0, 64);
  reg.add(p + ".start_us", &start_us, "job start time, us", 0.0, 1e12);
  reg.add(p + ".bucket_mb", &bucket_mb,
          "gradient bucket, MB: reduce flows of this size, one after another (0: the whole gradient; DDP: 25)", 0.0,
          16000.0);
}

std::vector<uint64_t> MlJob::split_buckets(uint64_t gradient, uint64_t bucket, uint64_t least) {
  if (bucket == 0 || bucket >= gradient) return {gradient};
  std::vector<uint64_t> b(gradient / bucket, bucket);
  const uint64_t rest = gradient % bucket;
  if (rest >= least) b.push_back(rest);
  else b.back() += rest;
  return b;
}

MlJob::MlJob(Fabric& fabric, Controller& controller, DctcpTransport* tcp, uint16_t job, std::vector<uint32_t> workers,
             const MlJobConfig& cfg, const PanamaWorkerConfig& panama, const RingConfig* ring)
    : fabric_(fabric), controller_(controller), tcp_(tcp), job_(job), workers_(std::move(workers)), cfg_(cfg) {
  const ModelSpec& m = find_model(cfg_.model);
  gradient_bytes_ = cfg_.gradient_bytes ? cfg_.gradient_bytes : m.gradient_bytes();
  compute_ps_ = ps_t((cfg_.compute_us >= 0 ? cfg_.compute_us : m.compute_ms * 1e3) * 1e6);
  if (cfg_.iterations == 0) throw std::invalid_argument("MlJob: iterations must be at least 1");

  // The iteration's reduce flows: buckets of bucket_mb; a rest too small for a ring (a byte per ring
  // flow, one FP32 element) joins the last full bucket.
  const RingConfig rc = ring ? *ring : RingConfig{};
  const uint64_t least = std::max<uint64_t>(4, uint64_t(workers_.size()) * rc.chunks_per_step);
  buckets_ = split_buckets(gradient_bytes_, uint64_t(cfg_.bucket_mb * 1e6), least);
  const uint64_t largest = *std::max_element(buckets_.begin(), buckets_.end());

  const std::string& proto = cfg_.protocol;
  plan_.job = job_;
  plan_.workers = workers_;
  if (proto == "panama" || proto == "single_tree" || proto == "panama_nocap") {
    // Admitted for its largest reduce flow; the threshold then applies to each flow.
    plan_ = controller_.admit(job_, workers_, largest, ElementType::fp32, proto == "single_tree" ? 1 : cfg_.trees);
  } else if (proto == "ring") {
    plan_.fallback_reason = "protocol ring";
  } else {
    throw std::invalid_argument("MlJob: unknown protocol '" + proto + "'");
  }
  const double threshold = controller_.config().threshold_mb * 1e6;
  for (uint64_t b : buckets_) bucket_agg_.push_back(plan_.aggregated && !(double(b) < threshold));
  if (plan_.aggregated) {
    PanamaWorkerConfig pc = panama;
    if (proto == "panama_nocap") pc.use_cwnd_cap = false;
    for (uint32_t r = 0; r < workers_.size(); ++r) {
      panama_.push_back(std::make_unique<PanamaWorker>(*fabric_.hosts.at(workers_[r]), plan_, r, largest, pc));
      panama_.back()->set_on_done(this, ev_worker_done);
    }
  }
  for (size_t i = 0; i < buckets_.size(); ++i) {
    if (bucket_agg_[i]) continue;
    if (plan_.aggregated && bucket_fallback_.empty())
      bucket_fallback_ = "reduce of " + std::to_string(buckets_[i]) + " B is below controller.threshold_mb";
    bool have = false;
    for (const auto& [bytes, r] : rings_) have = have || bytes == buckets_[i];
    if (have) continue;
    if (!tcp_)
      throw std::invalid_argument("MlJob " + std::to_string(job_) + ": runs the ring all-reduce (" +
                                  (plan_.aggregated ? bucket_fallback_ : plan_.fallback_reason) +
                                  ") but no DctcpTransport was given");
    // One ring per bucket size, each with a tag of its own (the first one's is the job's usual tag).
    const uint64_t tag = RingAllReduce::kDefaultTag + job_ + (uint64_t(rings_.size()) << 16);
    rings_.emplace_back(buckets_[i], std::make_unique<RingAllReduce>(fabric_, *tcp_, workers_, buckets_[i], rc, tag));
    rings_.back().second->set_on_done(this, ev_ring_done);
  }
}

MlJob::~MlJob() = default;

void MlJob::start() {
  // (Not before now: a job started while the simulation runs, at a start time rounded from now.)
  fabric_.ctx.events.schedule(std::max(ps_t(cfg_.start_us * 1e6), fabric_.ctx.now()), this, ev_start);
}

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
      if (++workers_done_ == panama_.size()) bucket_done();
      break;
    case ev_ring_done: bucket_done(); break;
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
  bucket_ = 0;
  reduce_iter_ = next_reduce_++;
  start_bucket();
}

void MlJob::start_bucket() {
  const ps_t now = fabric_.ctx.now();
  const uint64_t bytes = buckets_[bucket_];
  if (bucket_agg_[bucket_]) {
    workers_done_ = 0;
    // Packet tags: one per reduce flow of the job (the iteration's index when there is one bucket).
    const uint32_t tag = uint32_t(uint64_t(reduce_iter_) * buckets_.size() + bucket_);
    for (auto& w : panama_) w->start(tag, now, bytes);
  } else {
    for (auto& [size, r] : rings_)
      if (size == bytes) {
        r->start(now);
        break;
      }
  }
}

void MlJob::bucket_done() {
  if (++bucket_ < buckets_.size()) return start_bucket();
  allreduce_done();
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
    for (auto& w : panama_) w->release_buffers();
    if (on_done_) fabric_.ctx.events.schedule(now, on_done_, on_done_kind_, this, job_);
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
                   {"buckets", buckets_.size()},
                   {"bucket_bytes", buckets_.front()},
                   {"buckets_aggregated", std::count(bucket_agg_.begin(), bucket_agg_.end(), true)},
                   {"bucket_fallback_reason", bucket_fallback_},
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
