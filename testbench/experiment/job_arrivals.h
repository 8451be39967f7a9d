// A dynamic workload: jobs arrive (Poisson, or at the times of a trace file), wait for hosts, run their
// iterations and leave. The scheduler places each job when enough hosts are free (first come, first
// served, with the scenario's placement policy), which is when the controller admits it (trees,
// multicast, accelerator contexts; every accelerator on its trees shrinks the other jobs' shares, and
// their workers learn the new cwnd_cap from their next results); the job's state is freed when it ends.
// A PANAMA job the controller cannot aggregate runs the ring and says why (MlJob::fallback_reason).
#pragma once

#include "common/clock.h"
#include "common/event_queue.h"
#include "workload/ml_job.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace panama {

class Controller;
class DctcpTransport;
class Fabric;
struct PanamaWorkerConfig;
struct RingConfig;

struct JobArrival {
  double arrival_us = 0;
  MlJobConfig job;
  uint32_t workers = 0;
};

// `count` arrivals of a Poisson process of `rate_per_s` from `start_us` (the first one gap after it),
// each a copy of a template drawn uniformly from `templates`, from `seed`.
std::vector<JobArrival> poisson_job_arrivals(double rate_per_s, uint32_t count, double start_us,
                                             const std::vector<JobArrival>& templates, uint64_t seed);

// A trace: one job a line, `arrival_us,model,workers` (blank lines and lines starting with '#'
// ignored); the other fields are `tmpl`'s. Arrivals 0 to 1e12 us, a known model, workers 2 to `hosts`,
// at most 4096 jobs; sorted by arrival (stable). Errors name the file and the line.
std::vector<JobArrival> load_job_trace(const std::string& path, const JobArrival& tmpl, uint32_t hosts);

class JobScheduler : public EventHandler {
 public:
  // Jobs are appended to `jobs` as they start (ids: arrival order, from 1).
  JobScheduler(Fabric& fabric, Controller& controller, DctcpTransport& tcp, const PanamaWorkerConfig& worker,
               const RingConfig& ring, std::string placement, uint64_t seed, std::vector<JobArrival> arrivals,
               std::vector<std::unique_ptr<MlJob>>& jobs);
  void start();
  // Every job has arrived and finished.
  bool all_done() const { return finished_ == arrivals_.size(); }
  const std::vector<JobArrival>& arrivals() const { return arrivals_; }
  size_t queued() const { return queue_.size() - head_; }

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;

 private:
  enum Kind : uint32_t { ev_arrival = 0, ev_done = 1 };
  void try_start();

  Fabric& fabric_;
  Controller& controller_;
  DctcpTransport& tcp_;
  const PanamaWorkerConfig& worker_;
  const RingConfig& ring_;
  std::string placement_;
  uint64_t seed_;
  std::vector<JobArrival> arrivals_;
  std::vector<std::unique_ptr<MlJob>>& jobs_;
  std::vector<uint32_t> rack_of_;
  std::vector<bool> taken_;
  std::vector<uint32_t> queue_;  // arrival indices, first come first served
  size_t head_ = 0;
  size_t finished_ = 0;
};

}  // namespace panama
