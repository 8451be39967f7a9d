#include "experiment/job_arrivals.h"

#include "common/config.h"
#include "common/limits.h"
#include "experiment/placement.h"
#include "network/topology.h"
#include "transport/ring_allreduce.h"
#include "workload/model_table.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace panama {

std::vector<JobArrival> poisson_job_arrivals(double rate_per_s, uint32_t count, double start_us,
                                             const std::vector<JobArrival>& templates, uint64_t seed) {
  std::vector<JobArrival> out;
  if (templates.empty() || count == 0) return out;
  std::mt19937_64 rng(seed ^ 0x6a6f62617272ull);  // ("jobarr": the arrivals' own stream of the seed)
  std::exponential_distribution<double> gap(rate_per_s);
  double t = start_us;
  for (uint32_t i = 0; i < count; ++i) {
    t += gap(rng) * 1e6;
    JobArrival a = templates[rng() % templates.size()];
    a.arrival_us = t;
    out.push_back(a);
  }
  return out;
}

std::vector<JobArrival> load_job_trace(const std::string& path, const JobArrival& tmpl, uint32_t hosts) {
  if (!std::filesystem::is_regular_file(path))
    throw ConfigError("invalid configuration: 'jobs_trace': no file '" + path + "'");
  if (std::filesystem::file_size(path) > limits::kInputFileBytes)
    throw ConfigError("invalid configuration: 'jobs_trace': '" + path + "' is larger than 4 MiB");
  std::ifstream in(path);
  std::vector<JobArrival> out;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    const std::string where = path + ":" + std::to_string(n);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) {
      const size_t a = x.find_first_not_of(" \t\r"), b = x.find_last_not_of(" \t\r");
      f.push_back(a == std::string::npos ? "" : x.substr(a, b - a + 1));
    }
    if (f.size() != 3)
      throw ConfigError("invalid configuration: 'jobs_trace': " + where + ": expected arrival_us,model,workers");
    if (out.size() >= limits::kJobs)
      throw ConfigError("invalid configuration: 'jobs_trace': " + where + ": more than " + std::to_string(limits::kJobs) +
                        " jobs (job ids are 16 bits)");
    JobArrival a = tmpl;
    a.arrival_us = config_number("jobs_trace arrival_us", f[0], where, 0.0, 1e12);
    bool known = false;
    for (const ModelSpec& m : model_table()) known = known || m.name == f[1];
    if (!known) throw ConfigError("invalid configuration: 'jobs_trace': " + where + ": unknown model '" + f[1] + "'");
    a.job.model = f[1];
    a.workers = uint32_t(config_int("jobs_trace workers", f[2], where, 2, std::max<uint32_t>(hosts, 2)));
    out.push_back(a);
  }
  if (out.empty()) throw ConfigError("invalid configuration: 'jobs_trace': '" + path + "' lists no job");
  std::stable_sort(out.begin(), out.end(), [](const JobArrival& x, const JobArrival& y) { return x.arrival_us < y.arrival_us; });
  return out;
}

JobScheduler::JobScheduler(Fabric& fabric, Controller& controller, DctcpTransport& tcp, const PanamaWorkerConfig& worker,
                           const RingConfig& ring, std::string placement, uint64_t seed, std::vector<JobArrival> arrivals,
                           std::vector<std::unique_ptr<MlJob>>& jobs)
    : fabric_(fabric), controller_(controller), tcp_(tcp), worker_(worker), ring_(ring), placement_(std::move(placement)),
      seed_(seed), arrivals_(std::move(arrivals)), jobs_(jobs), rack_of_(host_racks(fabric)),
      taken_(fabric.hosts.size(), false) {
  // Arrival times as the event list holds them (whole picoseconds), so that queueing is start - arrival.
  for (JobArrival& a : arrivals_) a.arrival_us = double(ps_t(a.arrival_us * 1e6 + 0.5)) / 1e6;
}

void JobScheduler::start() {
  for (size_t i = 0; i < arrivals_.size(); ++i)
    fabric_.events.schedule(ps_t(arrivals_[i].arrival_us * 1e6 + 0.5), this, ev_arrival, nullptr, i);  // (exact)
}

void JobScheduler::on_event(uint32_t kind, void* ptr, uint64_t arg) {
  if (kind == ev_arrival) {
    queue_.push_back(uint32_t(arg));
  } else {
    const MlJob& j = *static_cast<MlJob*>(ptr);
    for (uint32_t h : j.plan().workers) taken_[h] = false;
    ++finished_;
  }
  try_start();
}

void JobScheduler::try_start() {
  // First come, first served: the head waits until enough hosts are free, and those behind it wait too.
  while (head_ < queue_.size()) {
    const JobArrival& a = arrivals_[queue_[head_]];
    const uint32_t free = uint32_t(std::count(taken_.begin(), taken_.end(), false));
    if (free < a.workers) return;
    const uint16_t id = uint16_t(queue_[head_] + 1);
    // The placement's draws depend on the job, not on what ran before it.
    const std::vector<uint32_t> hosts = place_jobs(placement_, rack_of_, {a.workers}, seed_ + id, taken_)[0];
    for (uint32_t h : hosts) taken_[h] = true;
    MlJobConfig jc = a.job;
    jc.start_us = double(fabric_.ctx.now()) / 1e6;
    jobs_.push_back(std::make_unique<MlJob>(fabric_, controller_, &tcp_, id, hosts, jc, worker_, &ring_));
    jobs_.back()->set_on_done(this, ev_done);
    jobs_.back()->start();
    ++head_;
  }
}

}  // namespace panama
