// A shared-cluster scenario (`panama run SCENARIO.yaml`): one YAML file describes the fabric, the
// accelerators, the PANAMA protocol, the job mix and the background traffic; the run writes a summary.
// Keys: scenario.* (below), topology.*, accelerator.*, controller.*, panama.*, dctcp.*, ring.*, the job
// table `jobs` (one record per job) and workload.flows.* (background DCTCP flows; no cdf = none).
#pragma once

#include "accelerator/accelerator_config.h"
#include "common/config.h"
#include "control/controller.h"
#include "network/topology.h"
#include "transport/dctcp.h"
#include "transport/panama_worker.h"
#include "transport/ring_allreduce.h"
#include "experiment/job_arrivals.h"
#include "workload/flow_generator.h"
#include "workload/ml_job.h"

#include <nlohmann/json.hpp>

#include <string>

namespace panama {

struct ScenarioConfig {
  std::string name = "scenario";
  double duration_us = 10000;      // stop at this simulated time at the latest
  bool stop_when_jobs_done = true; // stop earlier, once every job has finished (background flows cut off)
  bool wait_for_flows = false;     // with stop_when_jobs_done: also until every background flow arrived and ended
  int64_t seed = 1;                // seeds the fabric, the flow generator and placement
  std::string placement = "packed";  // packed | spread | random (experiment/placement.h)
  std::string protocol = "";       // non-empty: every job uses this protocol (A/B runs of one job mix)
  double gradient_mb = 0;          // > 0: every job's gradient per iteration, MB (job.gradient_mb); 0: as listed
  double bucket_mb = -1;           // >= 0: every job's gradient bucket, MB (job.bucket_mb); < 0: as listed
  double sample_us = 50;           // time-series sampling interval (queues, windows), us
  std::string topology_file;       // a topology YAML (topologies/*.yaml) loaded before this file's keys
  std::string vcd;                 // VCD of one PSwitch's accelerator ("" = none)
  uint32_t vcd_switch = 0;         // which switch (index) to trace
  double vcd_from_us = 0, vcd_to_us = 100;  // traced window
  double measure_from_us = 0, measure_to_us = 0;  // goodput window of the explicit flows (to 0: duration_us)

  TopologyConfig topo;
  AcceleratorConfig accel;
  ControllerConfig controller;
  PanamaWorkerConfig worker;
  DctcpConfig dctcp;
  RingConfig ring;
  FlowGenConfig flows;
  ConfigRegistry::Table jobs;      // {model, workers, iterations?, protocol?, overlap?, trees?, start_us?, compute_us?, gradient_mb?, bucket_mb?}
  ConfigRegistry::Table flow_table;  // `flows`: {src, dst, size_bytes, start_us?, group?} (experiment/explicit_flows.h)
  std::vector<std::string> flow_origins;  // file and line of each `flows` record (errors name them)
  std::string base_dir = ".";      // where relative paths (the flow CDF) are resolved first
  // Dynamic workload (experiment/job_arrivals.h): a trace file, or Poisson arrivals drawn from `jobs`.
  std::string jobs_trace;          // `jobs_trace`: arrival_us,model,workers per line
  double job_rate_per_s = 0;       // workload.jobs.arrival_rate_per_s (0: no Poisson arrivals)
  uint32_t job_count = 10;         // workload.jobs.count
  double job_start_us = 0;         // workload.jobs.start_us

  void register_params(ConfigRegistry& reg);
  // Every value typed and range-checked, cross-field checks, and the resource estimates of
  // docs/input-limits.md (model memory, background flows); loads the flow-size CDF to check it.
  void validate() const;
  // The flow-size CDF's path: workload.flows.cdf relative to base_dir, else to the current directory.
  std::string cdf_file() const;
  // The dynamic workload's arrivals (empty: the job table's jobs start at their start_us, as placed).
  std::vector<JobArrival> job_arrivals() const;
  // The end of the explicit flows' measurement window, us (measure_to_us, or duration_us when 0).
  double measure_end_us() const { return measure_to_us > 0 ? measure_to_us : duration_us; }
};

// One record of the job table, typed: the `job.*` keys of MlJobConfig with their ranges, the number of
// workers and gradient_mb (0: the model's gradient). Errors name jobs[i].<field> and `origin`.
struct JobRecord {
  MlJobConfig job;
  uint32_t workers = 0;
};
JobRecord job_record(const ConfigRegistry::Row& row, size_t index, const std::string& origin);

// Loads `path` (and overrides) into a fresh config; errors name the key and the file.
ScenarioConfig load_scenario(const std::string& path, const std::vector<std::string>& overrides);

// Runs the scenario in this process (one elaboration per process) and returns the summary:
// {scenario, jobs: [{id, model, protocol, aggregated, fallback, workers, iterations, training_time_s,
//  iteration_ms_mean, allreduce_gbps}], flows: {generated, completed, fct_mean_us, fct_p99_us,
//  short_fct_mean_us, short_fct_p99_us, slowdown by size bucket, groups: the explicit flows' groups
//  (ExplicitFlows::summary)}, network: fabric summary,
//  accelerators: {peak_slots, slot_stalls, contributions}, drops_lossless, drops_total, host: {wall_s, ...}}.
// Everything but `host` is a function of the configuration only.
// With `out_dir`, also writes the CSV time series (queues.csv, windows.csv), per-flow and per-iteration
// records (flows.csv, explicit_flows.csv, iterations.csv), a gnuplot script (plots.gp) and, when gnuplot is installed, the
// PNG plots (fct_cdf, slowdown_by_size, queues, windows, training_time). `progress` draws a progress
// line (simulated time, events/s, ETA) on standard error.
nlohmann::json run_scenario(const ScenarioConfig& cfg, const std::string& out_dir = "", bool progress = false);

}  // namespace panama
