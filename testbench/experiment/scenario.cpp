#include "experiment/scenario.h"

#include "common/limits.h"
#include "experiment/explicit_flows.h"
#include "experiment/job_arrivals.h"
#include "experiment/placement.h"
#include "network/fabric_stats.h"
#include "network/pswitch.h"
#include "protocol/packet.h"
#include "workload/ml_job.h"
#include "workload/model_table.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <memory>
#include <sstream>

namespace panama {

void ScenarioConfig::register_params(ConfigRegistry& reg) {
  reg.add("scenario.name", &name, "name of the run (copied to the summary)");
  reg.add("scenario.duration_us", &duration_us, "simulated time limit, us", 1.0, 1e9);
  reg.add("scenario.stop_when_jobs_done", &stop_when_jobs_done, "stop once every job has finished");
  reg.add("scenario.wait_for_flows", &wait_for_flows,
          "with stop_when_jobs_done: stop only once the background flows' arrival window has ended and every "
          "background flow has completed too (runs that differ only in their jobs then see the same flows)");
  reg.add("scenario.seed", &seed, "seed of the fabric, the background flows and the placement", 0, INT64_MAX);
  reg.add_choice("scenario.placement", &placement,
                 "how jobs get hosts: packed (fewest racks), spread (strided over the fabric), random (seeded)",
                 {"packed", "spread", "random"});
  reg.add("scenario.sample_us", &sample_us, "time-series sampling interval, us", 1.0, 1e9);
  reg.add("scenario.topology_file", &topology_file,
          "topology YAML loaded first (relative to the scenario file); this file's topology keys override it");
  reg.add("scenario.vcd", &vcd, "VCD waveform of one PSwitch's accelerator (empty: none)");
  reg.add("scenario.vcd_switch", &vcd_switch, "switch index whose accelerator is traced", 0, 1 << 20);
  reg.add("scenario.vcd_from_us", &vcd_from_us, "start of the traced window, us", 0.0, 1e9);
  reg.add("scenario.vcd_to_us", &vcd_to_us, "end of the traced window, us", 0.0, 1e9);
  reg.add("scenario.bucket_mb", &bucket_mb,
          "gradient bucket of every job, MB (job.bucket_mb; 0: whole gradient; < 0: each job's own)", -1.0, 16000.0);
  reg.add("scenario.gradient_mb", &gradient_mb,
          "gradient all-reduced per iteration by every job, MB (job.gradient_mb; 0: each job's own)", 0.0, 16000.0);
  reg.add("jobs_trace", &jobs_trace,
          "dynamic workload: a trace of jobs, one a line: arrival_us,model,workers (relative to the scenario file); "
          "the other fields from the first job record");
  reg.add("workload.jobs.arrival_rate_per_s", &job_rate_per_s,
          "dynamic workload: Poisson job arrivals per second (0: none), each a job record drawn uniformly", 0.0, 1e6);
  reg.add("workload.jobs.count", &job_count, "dynamic workload: Poisson arrivals", 1, uint32_t(limits::kJobs));
  reg.add("workload.jobs.start_us", &job_start_us, "dynamic workload: Poisson arrivals start after this, us", 0.0, 1e12);
  reg.add("scenario.measure_from_us", &measure_from_us, "start of the explicit flows' goodput window, us", 0.0, 1e9);
  reg.add("scenario.measure_to_us", &measure_to_us,
          "end of the explicit flows' goodput window, us (0: scenario.duration_us)", 0.0, 1e9);
  std::vector<std::string> protocols{""};
  protocols.insert(protocols.end(), job_protocols().begin(), job_protocols().end());
  reg.add_choice("scenario.protocol", &protocol, "override every job's protocol (empty: as listed)", protocols);
  topo.register_params(reg);
  accel.register_params(reg);
  controller.register_params(reg);
  worker.register_params(reg);
  dctcp.register_params(reg);
  ring.register_params(reg);
  flows.register_params(reg);
  reg.add_table("jobs", &jobs, "the job mix, one record per job", {"model", "workers"},
                {"iterations", "protocol", "overlap", "trees", "start_us", "compute_us", "gradient_mb", "bucket_mb"}, limits::kJobs,
                [](const ConfigRegistry::Row& r, size_t i, const std::string& origin) { job_record(r, i, origin); });
  reg.add_table("flows", &flow_table, "explicit DCTCP flows: src, dst (h<n>), size_bytes (or infinite), start_us, group",
                {"src", "dst", "size_bytes"}, {"start_us", "group"}, size_t(limits::kFlows),
                [this](const ConfigRegistry::Row& r, size_t i, const std::string& origin) {
                  explicit_flow(r, i, origin);
                  // Where each record is, for the checks that need the topology (validate()).
                  if (flow_origins.size() <= i) flow_origins.resize(i + 1);
                  flow_origins[i] = origin;
                });
}

JobRecord job_record(const ConfigRegistry::Row& r, size_t i, const std::string& origin) {
  // The fields are the `job.*` keys (MlJobConfig, with their documented ranges) plus workers and
  // gradient_mb, read by a registry of their own so that every value is typed as a key would be.
  const std::string p = "jobs[" + std::to_string(i) + "]";
  JobRecord s;
  double gradient_mb = 0;
  ConfigRegistry reg;
  s.job.register_params(reg, p);
  reg.add(p + ".workers", &s.workers, "data-parallel workers, one host each", 2, uint32_t(limits::kTopologyNodes));
  reg.add(p + ".gradient_mb", &gradient_mb, "gradient all-reduced per iteration, MB (0: the model's)", 0.0, 16000.0);
  for (const auto& [f, v] : r) reg.set(p + "." + f, v, origin);
  s.job.gradient_bytes = uint64_t(gradient_mb * 1e6);
  if (gradient_mb > 0 && s.job.gradient_bytes == 0)
    config_require(false, p + ".gradient_mb", "(" + r.at("gradient_mb") + " MB) is less than one byte (" + origin + ")");
  return s;
}

std::string ScenarioConfig::cdf_file() const {
  // Relative to the scenario's folder first, then to the current directory.
  std::filesystem::path p(flows.cdf);
  if (p.is_relative() && std::filesystem::exists(std::filesystem::path(base_dir) / p))
    p = std::filesystem::path(base_dir) / p;
  if (!std::filesystem::exists(p))
    throw ConfigError("invalid configuration: 'workload.flows.cdf': no file '" + flows.cdf + "' (looked in " + base_dir +
                      " and the current directory)");
  return p.string();
}

std::vector<JobArrival> ScenarioConfig::job_arrivals() const {
  std::vector<JobArrival> templates;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const JobRecord r = job_record(jobs[i], i, "job table");
    JobArrival a;
    a.job = r.job;
    a.workers = r.workers;
    templates.push_back(a);
  }
  if (!jobs_trace.empty()) {
    std::filesystem::path p(jobs_trace);
    if (p.is_relative() && std::filesystem::exists(std::filesystem::path(base_dir) / p))
      p = std::filesystem::path(base_dir) / p;
    return load_job_trace(p.string(), templates.empty() ? JobArrival{} : templates.front(), topo.host_count());
  }
  if (job_rate_per_s > 0) return poisson_job_arrivals(job_rate_per_s, job_count, job_start_us, templates, uint64_t(seed));
  return {};
}

namespace {
// Memory the model allocates up front (limits::kModelMemoryBytes): every accelerator's buffer SRAM with
// its slot records and slot table, and each PANAMA worker's per-packet records (acked, resent: a byte
// each; last send time: 8 bytes).
double model_memory_bytes(const ScenarioConfig& c, const std::vector<JobRecord>& specs) {
  const double sram = double(c.accel.sram_kib) * 1024 + double(c.accel.total_slots()) * 64;
  double m = double(c.topo.size().pswitches) * sram;
  const uint32_t epp = c.worker.elements_per_packet ? c.worker.elements_per_packet : max_elements_for_mtu(1500, ElementType::fp32);
  for (const JobRecord& s : specs) {
    const double bytes = double(s.job.gradient_bytes ? s.job.gradient_bytes : find_model(s.job.model).gradient_bytes());
    m += double(s.workers) * std::ceil(bytes / 4 / epp) * 10;
  }
  return m;
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(1ull << 30));
  return buf;
}
}  // namespace

void ScenarioConfig::validate() const {
  topo.validate();
  accel.validate();
  worker.validate();
  dctcp.validate();
  config_require(jobs_trace.empty() || job_rate_per_s == 0, "jobs_trace",
                 "and workload.jobs.arrival_rate_per_s are both set: a trace or Poisson arrivals, not both");
  config_require(job_rate_per_s == 0 || !jobs.empty(), "workload.jobs.arrival_rate_per_s",
                 "needs job records (jobs) to draw the arriving jobs from");
  const bool dynamic = !jobs_trace.empty() || job_rate_per_s > 0;
  config_require(!jobs.empty() || !jobs_trace.empty() || !flows.cdf.empty() || !flow_table.empty(), "jobs",
                 "is empty and there are no background or explicit flows: nothing to run");
  config_require(measure_to_us <= duration_us, "scenario.measure_to_us",
                 "(" + config_number_text(measure_to_us) + ") is after scenario.duration_us (" + config_number_text(duration_us) + ")");
  config_require(measure_end_us() > measure_from_us, "scenario.measure_from_us",
                 "(" + config_number_text(measure_from_us) + ") must be before the end of the window (" + config_number_text(measure_end_us()) + " us)");
  {
    // Every flow's hosts exist; a host has 55536 client ports towards one destination.
    std::map<std::pair<uint32_t, uint32_t>, uint64_t> per_pair;
    for (size_t i = 0; i < flow_table.size(); ++i) {
      const ExplicitFlow f =
          explicit_flow(flow_table[i], i, i < flow_origins.size() ? flow_origins[i] : "flows table", topo.host_count());
      config_require(++per_pair[{f.src, f.dst}] <= limits::kFlowsPerHostPair, "flows[" + std::to_string(i) + "]",
                     "is one flow too many from h" + std::to_string(f.src) + " to h" + std::to_string(f.dst) + ": at most " +
                         std::to_string(uint64_t(limits::kFlowsPerHostPair)) + " per host pair");
    }
  }
  if (!vcd.empty()) {
    config_require(topo.pswitches != "none" && vcd_switch < topo.size().switches, "scenario.vcd_switch",
                   "(" + std::to_string(vcd_switch) + ") names no PSwitch: the topology has " +
                       std::to_string(topo.size().switches) + " switches, topology.pswitches is " + topo.pswitches);
    config_require(vcd_to_us >= vcd_from_us, "scenario.vcd_to_us", "must not be before scenario.vcd_from_us");
  }
  uint64_t used = 0;
  std::vector<JobRecord> specs;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const JobRecord s = job_record(jobs[i], i, "job table");
    const std::string at = "jobs[" + std::to_string(i) + "]";
    used += s.workers;
    // A PANAMA job the controller does not aggregate falls back to the ring, whose every flow needs a byte.
    const uint64_t bytes = s.job.gradient_bytes ? s.job.gradient_bytes : find_model(s.job.model).gradient_bytes();
    const uint64_t least = std::max<uint64_t>(4, uint64_t(s.workers) * ring.chunks_per_step);
    config_require(bytes >= least, at + ".gradient_mb",
                   "gives " + std::to_string(bytes) + " B: the all-reduce needs at least " + std::to_string(least) +
                       " B (one FP32 element, and a byte per ring flow: workers x ring.chunks_per_step)");
    // Every bucket carries a ring flow's byte per worker and chunk too (a bucket below the controller's
    // threshold goes by ring).
    const double bucket_mb_i = bucket_mb >= 0 ? bucket_mb : s.job.bucket_mb;
    const uint64_t bucket = uint64_t(bucket_mb_i * 1e6);
    config_require(bucket_mb_i == 0 || bucket >= least, bucket_mb >= 0 ? "scenario.bucket_mb" : at + ".bucket_mb",
                   "gives buckets of " + std::to_string(bucket) + " B: a bucket needs at least " + std::to_string(least) +
                       " B (one FP32 element, and a byte per ring flow: workers x ring.chunks_per_step)");
    specs.push_back(s);
  }
  // A dynamic workload's jobs wait for hosts; each must fit the fabric on its own.
  if (!dynamic)
    config_require(used <= topo.host_count(), "jobs",
                   "need " + std::to_string(used) + " hosts but the topology has " + std::to_string(topo.host_count()));
  for (size_t i = 0; dynamic && i < specs.size(); ++i)
    config_require(specs[i].workers <= topo.host_count(), "jobs[" + std::to_string(i) + "].workers",
                   "(" + std::to_string(specs[i].workers) + ") exceeds the topology's " + std::to_string(topo.host_count()) +
                       " hosts");
  if (!jobs_trace.empty()) {
    // Each traced job with its own workers: its gradient and buckets must hold a ring's bytes.
    const std::vector<JobArrival> traced = job_arrivals();
    for (size_t i = 0; i < traced.size(); ++i) {
      const JobArrival& a = traced[i];
      const uint64_t bytes = a.job.gradient_bytes ? a.job.gradient_bytes : find_model(a.job.model).gradient_bytes();
      const uint64_t least = std::max<uint64_t>(4, uint64_t(a.workers) * ring.chunks_per_step);
      const double b = bucket_mb >= 0 ? bucket_mb : a.job.bucket_mb;
      config_require(bytes >= least && (b == 0 || uint64_t(b * 1e6) >= least), "jobs_trace",
                     "job " + std::to_string(i + 1) + " (" + std::to_string(a.workers) + " workers) has a gradient or bucket below " +
                         std::to_string(least) + " B (a byte per ring flow: workers x ring.chunks_per_step)");
    }
  }
  const double memory = model_memory_bytes(*this, specs);
  config_require(memory <= double(limits::kModelMemoryBytes), "accelerator.sram_kib",
                 "and the job table need ~" + gib(memory) + " of model memory (" + std::to_string(topo.size().pswitches) +
                     " accelerators of " + std::to_string(accel.sram_kib) + " KiB, and the workers' per-packet records); at most " +
                     gib(double(limits::kModelMemoryBytes)) + " (docs/input-limits.md)");
  if (!flows.cdf.empty()) {
    const uint64_t hosts = topo.host_count();
    config_require(hosts >= 2, "workload.flows.cdf",
                   "background flows need two hosts; the topology has " + std::to_string(hosts));
    const std::string file = cdf_file();
    FlowSizeCdf cdf;
    try {
      cdf = FlowSizeCdf::load(file);
    } catch (const ConfigError& e) {
      throw ConfigError("invalid configuration: 'workload.flows.cdf': " + std::string(e.what()));
    }
    // Arrivals in [start, start + duration) that the run reaches, at the generator's rate.
    const double window_s = std::max(0.0, std::min(flows.duration_us, duration_us - flows.start_us)) * 1e-6;
    double n = flow_arrival_rate(flows.load, topo.host_gbps, hosts, cdf.mean()) * window_s;
    if (flows.max_flows) n = std::min(n, double(flows.max_flows));
    const std::string count = std::to_string(uint64_t(std::min(n, 1e18)));
    config_require(n <= limits::kFlows, "workload.flows",
                   "asks for ~" + count + " background flows (mean flow size " + config_number_text(cdf.mean()) + " B at load " +
                       config_number_text(flows.load) + " for " + config_number_text(window_s * 1e6) + " us); at most " + std::to_string(uint64_t(limits::kFlows)) +
                       ": set workload.flows.max_flows, or a lower load or duration (docs/input-limits.md)");
    const double per_pair = n / (double(hosts) * double(hosts - 1));
    config_require(per_pair <= limits::kFlowsPerHostPair, "workload.flows",
                   "asks for ~" + count + " background flows among " + std::to_string(hosts) + " hosts, ~" +
                       std::to_string(uint64_t(per_pair)) + " per host pair; at most " +
                       std::to_string(uint64_t(limits::kFlowsPerHostPair)) +
                       " (a host has 55536 TCP ports towards one destination)");
  }
}

ScenarioConfig load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  ScenarioConfig cfg;
  ConfigRegistry reg;
  cfg.register_params(reg);
  reg.load_file(path);
  for (const auto& o : overrides) reg.apply_override(o);
  cfg.base_dir = std::filesystem::path(path).parent_path().string();
  if (cfg.base_dir.empty()) cfg.base_dir = ".";
  if (!cfg.topology_file.empty()) {
    // Defaults, then the topology file, then this file, then the overrides: the closest word wins.
    std::filesystem::path t(cfg.topology_file);
    if (t.is_relative()) t = std::filesystem::path(cfg.base_dir) / t;
    if (!std::filesystem::is_regular_file(t))
      throw ConfigError("invalid configuration: 'scenario.topology_file': " +
                        std::string(std::filesystem::is_directory(t) ? "'" + t.string() + "' is a directory, not a file"
                                                                     : "no file '" + t.string() + "'") +
                        " (" + path + ")");
    reg.load_file(t.string());
    reg.load_file(path);
    for (const auto& o : overrides) reg.apply_override(o);
  }
  // scenario.gradient_mb (a sweep axis) becomes every job record's gradient_mb, so that everything that
  // reads the records (checks, arrivals, the run) sees one value; the records are checked again below.
  if (cfg.gradient_mb > 0)
    for (auto& r : cfg.jobs) r["gradient_mb"] = config_number_text(cfg.gradient_mb);
  cfg.validate();
  return cfg;
}

}  // namespace panama
