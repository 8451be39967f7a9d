// MlJob: a data-parallel training job on the fabric. Every iteration each worker computes (forward +
// backward of its local batch, a fixed time) and then the gradient of G bytes (parameters x 4, FP32) is
// all-reduced across the workers, by PANAMA in-network aggregation or by the host ring baseline.
//
// Timeline (C = compute time, A_i = all-reduce time of iteration i, N iterations):
//   - overlap = false: iteration i = compute i, then all-reduce i; compute i+1 starts when all-reduce i
//     ends. Iteration time = C + A_i; total = N C + sum A_i.
//   - overlap = true (one-step overlap, as wait-free backprop / bucketed all-reduce approximates it):
//     compute i+1 starts as soon as compute i ends, provided all-reduce i-1 has ended (the weights it
//     updates are needed one iteration later); all-reduce i starts when compute i and all-reduce i-1
//     have both ended (one all-reduce at a time). With a constant A:
//     total = C + N A when A >= C, N C + A when C >= A, i.e. N max(C, A) + min(C, A).
//   The iteration time of iteration i is the time from the end of all-reduce i-1 (the job start for i = 0)
//   to the end of all-reduce i.
//
// Protocols: "panama" (controller admit with `trees` trees, 0 = the controller's maximum), "single_tree"
// (one tree), "panama_nocap" (PANAMA without cwnd_cap), "ring" (ring all-reduce over DCTCP). A PANAMA job
// the controller does not aggregate falls back to the ring; fallback_reason() says why. The ring needs a
// DctcpTransport on the workers' hosts. The job releases its trees when it completes.
#pragma once

#include "common/clock.h"
#include "common/event_queue.h"
#include "control/controller.h"
#include "transport/panama_worker.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace panama {

class ConfigRegistry;
class DctcpTransport;
class Fabric;
class RingAllReduce;
struct RingConfig;

// The all-reduce protocols a job may use (job.protocol; scenario.protocol overrides every job's).
inline const std::vector<std::string>& job_protocols() {
  static const std::vector<std::string> names{"panama", "single_tree", "panama_nocap", "ring"};
  return names;
}

struct MlJobConfig {
  std::string model = "resnet50";   // model_table name; its parameters and compute time are the defaults
  uint64_t gradient_bytes = 0;      // 0 = the model's parameters x 4
  double compute_us = -1;           // < 0 = the model's compute time per iteration
  uint32_t iterations = 1;
  bool overlap = false;
  std::string protocol = "panama";  // panama | single_tree | panama_nocap | ring
  uint32_t trees = 0;               // panama: trees per job (0 = controller.max_trees)
  double start_us = 0;              // job start time
  // Gradient bucketing, MB (0: one reduce of the whole gradient per iteration). Each iteration's gradient
  // is all-reduced as reduce flows of bucket_mb (the last one holds the rest), one after another, as
  // PyTorch DDP's buckets (default 25 MB) are. The controller's threshold applies per reduce flow: a
  // PANAMA job's buckets below controller.threshold_mb go by ring.
  double bucket_mb = 0;

  void register_params(ConfigRegistry& reg, const std::string& prefix = "job");
};

class MlJob : public EventHandler {
 public:
  // Admits the job at construction (PANAMA protocols). `tcp` may be null when the ring is never used.
  MlJob(Fabric& fabric, Controller& controller, DctcpTransport* tcp, uint16_t job, std::vector<uint32_t> workers,
        const MlJobConfig& cfg, const PanamaWorkerConfig& panama = {}, const RingConfig* ring = nullptr);
  ~MlJob() override;

  void start();                     // schedules the first compute at start_us
  bool done() const { return done_; }
  // `h->on_event(kind, this, id())` is scheduled when the job's last iteration ends (after its release).
  void set_on_done(EventHandler* h, uint32_t kind) {
    on_done_ = h;
    on_done_kind_ = kind;
  }

  uint16_t id() const { return job_; }
  const std::string& protocol() const { return cfg_.protocol; }
  bool aggregated() const { return plan_.aggregated; }  // false: runs the ring
  const std::string& fallback_reason() const { return plan_.fallback_reason; }
  const JobPlan& plan() const { return plan_; }
  uint64_t gradient_bytes() const { return gradient_bytes_; }
  ps_t compute_ps() const { return compute_ps_; }
  ps_t start_ps() const { return start_ps_; }
  ps_t finish_ps() const { return finish_ps_; }
  ps_t total_ps() const { return finish_ps_ - start_ps_; }
  const std::vector<ps_t>& iteration_ps() const { return iteration_ps_; }
  const std::vector<ps_t>& allreduce_ps() const { return allreduce_ps_; }
  // Gradient bytes all-reduced per second of all-reduce time (aggregation throughput), Gbps.
  double allreduce_gbps() const;
  const std::vector<std::unique_ptr<PanamaWorker>>& workers() const { return panama_; }
  // The reduce flows of one iteration, bytes each, and which of them are aggregated in the network.
  const std::vector<uint64_t>& buckets() const { return buckets_; }
  const std::vector<bool>& bucket_aggregated() const { return bucket_agg_; }
  // The sizes of `gradient` bytes in buckets of `bucket` bytes (0: one); a rest smaller than `least`
  // joins the bucket before it.
  static std::vector<uint64_t> split_buckets(uint64_t gradient, uint64_t bucket, uint64_t least);
  nlohmann::json to_json() const;

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;

 private:
  enum Kind : uint32_t { ev_start = 0, ev_compute_done = 1, ev_worker_done = 2, ev_ring_done = 3 };
  void try_compute();
  void try_allreduce();
  void start_bucket();
  void bucket_done();
  void allreduce_done();

  Fabric& fabric_;
  Controller& controller_;
  DctcpTransport* tcp_;
  uint16_t job_;
  std::vector<uint32_t> workers_;
  MlJobConfig cfg_;
  JobPlan plan_;
  uint64_t gradient_bytes_ = 0;
  ps_t compute_ps_ = 0;
  std::vector<std::unique_ptr<PanamaWorker>> panama_;
  std::vector<uint64_t> buckets_;  // bytes of each reduce flow of an iteration
  std::vector<bool> bucket_agg_;   // aggregated in the network (else by ring)
  std::string bucket_fallback_;    // why some buckets of an aggregated job go by ring
  std::vector<std::pair<uint64_t, std::unique_ptr<RingAllReduce>>> rings_;  // one per ring bucket size
  EventHandler* on_done_ = nullptr;
  uint32_t on_done_kind_ = 0;
  uint32_t bucket_ = 0;            // the bucket being reduced
  uint32_t reduce_iter_ = 0;       // the iteration being reduced

  uint32_t computed_ = 0, next_compute_ = 0, reduced_ = 0, next_reduce_ = 0, workers_done_ = 0;
  bool computing_ = false, reducing_ = false, done_ = false;
  ps_t start_ps_ = 0, finish_ps_ = 0, ar_start_ps_ = 0, last_end_ps_ = 0;
  std::vector<ps_t> iteration_ps_, allreduce_ps_;
};

}  // namespace panama
