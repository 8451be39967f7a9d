#include "harness/scenario.h"

#include "common/limits.h"
#include "harness/explicit_flows.h"
#include "harness/job_arrivals.h"
#include "harness/placement.h"
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
  reg.add_choice("scenario.protocol", &protocol, "override every job's protocol (empty: as listed)",
                 {"", "panama", "single_tree", "panama_nocap", "ring"});
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

namespace {

// Samples every switch port's queue and every PANAMA tree window of each job's first worker.
class RunSampler : public EventHandler {
 public:
  RunSampler(Fabric& f, const std::vector<std::unique_ptr<MlJob>>& jobs, std::function<bool()> done, ps_t interval,
             ps_t until, const std::string& dir)
      : f_(f), jobs_(jobs), done_(std::move(done)), interval_(interval), until_(until), q_(dir + "/queues.csv"),
        w_(dir + "/windows.csv") {
    q_ << "time_us,switch,port,queue_bytes,tx_bytes,ecn_marked\n";
    w_ << "time_us,job,tree,cwnd,alpha\n";
    f.events.schedule(0, this, 0);
  }
  void on_event(uint32_t, void*, uint64_t) override {
    const ps_t now = f_.ctx.now();
    const double t = double(now) / 1e6;
    for (auto& s : f_.switches)
      for (uint32_t p = 0; p < s->num_ports(); ++p) {
        const EgressPort& ep = s->port(p);
        q_ << t << ',' << s->basename() << ',' << p << ',' << ep.total_bytes() << ',' << ep.counters().tx_bytes << ','
           << ep.counters().ecn_marked << '\n';
      }
    for (auto& j : jobs_)
      if (!j->workers().empty()) {
        const PanamaWorker& w = *j->workers().front();
        for (uint32_t tr = 0; tr < w.num_trees(); ++tr) {
          const PanamaTreeStats st = w.tree_stats(tr);
          w_ << t << ',' << j->id() << ',' << tr << ',' << st.cwnd << ',' << st.alpha << '\n';
        }
      }
    if (now + interval_ <= until_ && !done_()) f_.events.schedule(now + interval_, this, 0);
  }

 private:
  Fabric& f_;
  const std::vector<std::unique_ptr<MlJob>>& jobs_;
  std::function<bool()> done_;
  ps_t interval_, until_;
  std::ofstream q_, w_;
};

// Flow-size buckets of the slowdown figures, smallest first (the order of slowdown_by_size.csv's bars).
const std::pair<uint64_t, const char*> kSizeBuckets[] = {
    {100000, "<100KB"}, {1000000, "100KB-1MB"}, {10000000, "1MB-10MB"}, {UINT64_MAX, ">10MB"}};

void write_plots(const std::string& dir, const nlohmann::json& s, size_t flows) {
  std::ofstream gp(dir + "/plots.gp");
  // Each CSV's first line is its header, declared once here: gnuplot then neither plots it nor
  // needs an `every` clause (which would also skip the first data row once headers are on).
  gp << "# gnuplot script written by panama run; regenerate the PNGs with: gnuplot plots.gp\n"
     << "set datafile separator ','\nset datafile columnheaders\nset terminal pngcairo size 900,560\nset grid\n"
     << "set key outside autotitle columnhead\n";
  if (flows) {
    gp << "set output 'fct_cdf.png'\nset title 'Background flow completion times'\nset xlabel 'FCT (us)'\n"
       << "set ylabel 'CDF'\nset logscale x\nplot 'flows.csv' using 6:(1.0/" << flows
       << ") smooth cumulative with lines lw 2 title 'all flows'\nunset logscale x\n";
    // Bar charts start at zero, so that bar heights compare.
    gp << "set output 'slowdown_by_size.png'\nset title 'Slowdown by flow size'\nset style data histograms\n"
       << "set style fill solid 0.6\nset xlabel 'flow size'\nset ylabel 'slowdown (FCT / ideal)'\nset yrange [0:*]\n"
       << "plot 'slowdown_by_size.csv' using 3:xtic(1) title 'mean', '' using 4 title 'p99'\n"
       << "set autoscale y\nset style data lines\n";
  }
  // Lines need one series per column: pivot the long-format time series (queues of the four busiest
  // ports, every window) into wide tables for the plots.
  // `keys` empty: every key found in the data, in order of first appearance.
  auto pivot = [&](const std::string& in, const std::string& out, auto key_of, std::vector<std::string> keys,
                   size_t value_col) {
    const bool discover = keys.empty();
    std::ifstream f(dir + "/" + in);
    std::map<std::string, std::map<std::string, std::string>> rows;  // time -> key -> value
    std::vector<std::string> times;
    std::string line;
    std::getline(f, line);
    while (std::getline(f, line)) {
      std::vector<std::string> c;
      size_t a = 0;
      for (size_t b; (b = line.find(',', a)) != std::string::npos; a = b + 1) c.push_back(line.substr(a, b - a));
      c.push_back(line.substr(a));
      if (c.size() <= value_col) continue;
      const std::string k = key_of(c);
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
        if (!discover) continue;
        keys.push_back(k);
      }
      if (!rows.count(c[0])) times.push_back(c[0]);
      rows[c[0]][k] = c[value_col];
    }
    std::ofstream o(dir + "/" + out);
    o << "time_us";
    for (const auto& k : keys) o << ',' << k;
    o << '\n';
    for (const auto& t : times) {
      o << t;
      for (const auto& k : keys) o << ',' << (rows[t].count(k) ? rows[t][k] : "");
      o << '\n';
    }
    return keys;
  };
  std::vector<std::string> ports;
  for (const auto& b : s["network"]["busiest_ports"])
    if (ports.size() < 4) ports.push_back(b["switch"].get<std::string>() + ":" + std::to_string(b["port"].get<int>()));
  if (!ports.empty())
    pivot("queues.csv", "queues_busiest.csv", [](const std::vector<std::string>& c) { return c[1] + ":" + c[2]; }, ports, 3);
  const std::vector<std::string> tree_keys = pivot(
      "windows.csv", "windows_wide.csv", [](const std::vector<std::string>& c) { return "job " + c[1] + " tree " + c[2]; },
      {}, 3);
  gp << "set output 'queues.png'\nset title 'Egress queues of the busiest ports'\nset xlabel 'time (us)'\n"
     << "set ylabel 'queue (bytes)'\nplot";
  for (size_t i = 0; i < ports.size(); ++i) gp << (i ? "," : "") << " 'queues_busiest.csv' using 1:" << i + 2 << " with lines";
  if (ports.empty()) gp << " 0 notitle";
  gp << "\nset output 'windows.png'\nset title 'PANAMA windows (first worker of each job)'\nset ylabel 'cwnd (packets)'\nplot";
  bool any = false;
  for (size_t i = 0; i < tree_keys.size(); ++i) {
    gp << (any ? "," : "") << " 'windows_wide.csv' using 1:" << i + 2 << " with lines title '" << tree_keys[i] << "'";
    any = true;
  }
  if (!any) gp << " 0 notitle";
  gp << "\n";
  // (A bar chart of no bars is an error in gnuplot: only with jobs, only with explicit flows.)
  if (!s["jobs"].empty())
    gp << "set output 'training_time.png'\nset title 'Training time per job'\nset style data histograms\n"
       << "set style fill solid 0.6\nset xlabel 'job'\nset ylabel 'training time (ms)'\nset yrange [0:*]\n"
       << "plot 'jobs.csv' using 3:xtic('job '.strcol(1).' ('.strcol(2).')') title 'training time'\n"
       << "set autoscale y\nset style data lines\n";
  if (s["flows"].contains("groups")) {
    gp << "set output 'flow_groups.png'\nset title 'Explicit flows: goodput per flow over the measurement window'\n"
       << "set style data histograms\nset style fill solid 0.6\nset xlabel 'group'\nset ylabel 'Mbit/s'\n"
       << "set yrange [0:*]\nplot 'flow_groups.csv' using 3:xtic(1) title 'mean', '' using 4 title 'min', "
       << "'' using 5 title 'max'\nset autoscale y\nset style data lines\n";
    std::ofstream fg(dir + "/flow_groups.csv");
    fg << "group,count,mean_mbps,min_mbps,max_mbps,jain\n";
    for (const auto& [name, g] : s["flows"]["groups"].items())
      fg << name << ',' << g["count"] << ',' << g["mean_mbps"] << ',' << g["min_mbps"] << ',' << g["max_mbps"] << ','
         << g["jain"] << '\n';
  }
  gp.close();
  std::ofstream jobs(dir + "/jobs.csv");
  jobs << "job,protocol,training_time_ms,arrival_ms,start_ms,finish_ms,queueing_ms\n";
  // An unfinished job has no training time: an empty field (a gap among the bars), not the summary's -1.
  for (const auto& j : s["jobs"]) {
    jobs << j["id"] << ',' << j["protocol"].get<std::string>() << ',';
    if (j["done"].get<bool>()) jobs << j["training_time_s"].get<double>() * 1e3;
    // (Empty where a job did not start or finish.)
    auto ms = [&](const char* k) {
      const double v = j.value(k, -1.0);
      if (v >= 0) jobs << v / 1e3;
    };
    jobs << ',';
    ms("arrival_us");
    jobs << ',';
    ms("start_us");
    jobs << ',';
    ms("finish_us");
    jobs << ',';
    if (j.value("started", false)) ms("queueing_us");
    jobs << '\n';
  }
  std::ofstream sz(dir + "/slowdown_by_size.csv");
  sz << "bucket,count,slowdown_mean,slowdown_p99\n";
  if (s["flows"].contains("by_size"))
    for (auto [hi, name] : kSizeBuckets) {
      const nlohmann::json& b = s["flows"]["by_size"][name];
      sz << name << ',' << b["count"] << ',' << b["slowdown_mean"] << ',' << b["slowdown_p99"] << '\n';
    }
}

}  // namespace

nlohmann::json run_scenario(const ScenarioConfig& cfg, const std::string& out_dir, bool progress) {
  const auto t0 = std::chrono::steady_clock::now();
  // Outputs first, before anything is built: the VCD may go into the output directory.
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir);
  if (!cfg.vcd.empty()) config_check_output_file(vcd_base_name(cfg.vcd) + ".vcd", "scenario.vcd");
  TopologyConfig topo = cfg.topo;
  topo.seed = cfg.seed;
  Fabric fabric("fabric", topo, cfg.accel);
  Controller controller(fabric, cfg.controller);
  DctcpTransport tcp(fabric, cfg.dctcp);  // before the workers: they chain in front of its stacks

  // Placement (harness/placement.h): every job's hosts, from the policy, the racks and the seed; or, with
  // arrivals (harness/job_arrivals.h), each job's when it arrives and hosts are free.
  const uint32_t n_hosts = uint32_t(fabric.hosts.size());
  std::vector<std::unique_ptr<MlJob>> jobs;
  std::vector<JobArrival> arrivals = cfg.job_arrivals();
  std::unique_ptr<JobScheduler> scheduler;
  for (JobArrival& a : arrivals) {
    if (!cfg.protocol.empty()) a.job.protocol = cfg.protocol;
    if (cfg.bucket_mb >= 0) a.job.bucket_mb = cfg.bucket_mb;
  }
  if (!arrivals.empty())
    scheduler = std::make_unique<JobScheduler>(fabric, controller, tcp, cfg.worker, cfg.ring, cfg.placement,
                                               uint64_t(cfg.seed), std::move(arrivals), jobs);
  std::vector<uint32_t> workers;
  for (size_t i = 0; !scheduler && i < cfg.jobs.size(); ++i) workers.push_back(job_record(cfg.jobs[i], i, "job table").workers);
  const std::vector<std::vector<uint32_t>> placed = place_jobs(cfg.placement, host_racks(fabric), workers, uint64_t(cfg.seed));
  for (size_t i = 0; !scheduler && i < cfg.jobs.size(); ++i) {
    const auto& r = cfg.jobs[i];
    const std::vector<uint32_t>& hosts = placed[i];
    MlJobConfig jc = job_record(r, i, "job table").job;
    if (!cfg.protocol.empty()) jc.protocol = cfg.protocol;
    if (cfg.bucket_mb >= 0) jc.bucket_mb = cfg.bucket_mb;
    jobs.push_back(std::make_unique<MlJob>(fabric, controller, &tcp, uint16_t(i + 1), hosts, jc, cfg.worker, &cfg.ring));
  }
  for (auto& j : jobs) j->start();
  if (scheduler) scheduler->start();
  // Every job has arrived (dynamic workload) and finished.
  auto jobs_done = [&] {
    return std::all_of(jobs.begin(), jobs.end(), [](auto& j) { return j->done(); }) && (!scheduler || scheduler->all_done());
  };

  std::unique_ptr<FlowSizeCdf> cdf;
  std::unique_ptr<FlowGenerator> gen;
  if (!cfg.flows.cdf.empty()) {
    cdf = std::make_unique<FlowSizeCdf>(FlowSizeCdf::load(cfg.cdf_file()));
    FlowGenConfig fc = cfg.flows;
    fc.seed = cfg.seed;
    gen = std::make_unique<FlowGenerator>(fabric, tcp, *cdf, fc);
    gen->start();
  }
  std::unique_ptr<ExplicitFlows> explicit_flows;
  if (!cfg.flow_table.empty()) {
    std::vector<ExplicitFlow> list;
    for (size_t i = 0; i < cfg.flow_table.size(); ++i)
      list.push_back(explicit_flow(cfg.flow_table[i], i, "flows table", n_hosts));
    explicit_flows = std::make_unique<ExplicitFlows>(fabric, tcp, std::move(list), ps_t(cfg.measure_from_us * 1e6 + 0.5),
                                                     ps_t(cfg.measure_end_us() * 1e6 + 0.5));
    explicit_flows->start();
  }
  const ps_t end = ps_t(cfg.duration_us * 1e6);
  sc_core::sc_trace_file* tf = nullptr;
  if (!cfg.vcd.empty()) {
    auto* ps = cfg.vcd_switch < fabric.switches.size() ? dynamic_cast<PSwitch*>(fabric.switches[cfg.vcd_switch].get()) : nullptr;
    if (!ps)
      throw ConfigError("invalid configuration: 'scenario.vcd_switch' (" + std::to_string(cfg.vcd_switch) +
                        ") is not a PSwitch of this topology");
    tf = sc_core::sc_create_vcd_trace_file(vcd_base_name(cfg.vcd).c_str());
    tf->set_time_unit(1, sc_core::SC_PS);
    ps->accelerator().trace(tf, ps_t(cfg.vcd_from_us * 1e6), ps_t(cfg.vcd_to_us * 1e6));
  }
  std::unique_ptr<RunSampler> sampler;
  if (!out_dir.empty()) {
    sampler = std::make_unique<RunSampler>(fabric, jobs, jobs_done, ps_t(cfg.sample_us * 1e6), end, out_dir);
  }
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Run in slices so that the run can stop as soon as every job is done.
  const auto t1 = std::chrono::steady_clock::now();
  const ps_t slice = std::max<ps_t>(end / 200, 1000000);
  while (sc_core::sc_time_stamp() < from_ps(end)) {
    const ps_t now = to_ps(sc_core::sc_time_stamp());
    sc_core::sc_start(from_ps(std::min(slice, end - now)));
    const bool all_done = jobs_done();
    if (progress) {
      const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      const double frac = double(to_ps(sc_core::sc_time_stamp())) / double(end);
      std::fprintf(stderr, "\r  %8.0f / %.0f us simulated  %6.2f M events/s  ETA %5.0f s ",
                   double(to_ps(sc_core::sc_time_stamp())) / 1e6, cfg.duration_us,
                   w > 0 ? double(fabric.events.executed()) / w / 1e6 : 0.0, frac > 0 ? w / frac - w : 0.0);
    }
    // With wait_for_flows, the background must have arrived in full and drained as well: a protocol that
    // finishes its jobs sooner must not be compared on fewer (and later-cut) background flows.
    const bool flows_done = !cfg.wait_for_flows || !gen ||
                            (to_ps(sc_core::sc_time_stamp()) >= ps_t((cfg.flows.start_us + cfg.flows.duration_us) * 1e6) &&
                             gen->in_flight() == 0);
    if ((cfg.stop_when_jobs_done && (!jobs.empty() || scheduler) && all_done && flows_done) ||
        !sc_core::sc_pending_activity())
      break;
  }
  if (progress) std::fprintf(stderr, "\n");
  if (tf) sc_core::sc_close_vcd_trace_file(tf);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const ps_t elapsed = to_ps(sc_core::sc_time_stamp());

  nlohmann::json jj = nlohmann::json::array();
  const std::vector<uint32_t> rack_of = host_racks(fabric);
  for (size_t k = 0; k < jobs.size(); ++k) {
    auto& j = jobs[k];
    const std::vector<uint32_t>& hosts = j->plan().workers;
    std::vector<uint32_t> racks;
    for (uint32_t h : hosts) racks.push_back(rack_of[h]);
    // Arrival: the trace's or Poisson's time, or the job table's start_us; queueing until hosts were free.
    const double arrival_us = scheduler ? scheduler->arrivals()[j->id() - 1].arrival_us : double(j->start_ps()) / 1e6;
    const double start_us = double(j->start_ps()) / 1e6;
    std::sort(racks.begin(), racks.end());
    double it_mean = 0;
    for (ps_t t : j->iteration_ps()) it_mean += double(t);
    if (!j->iteration_ps().empty()) it_mean /= double(j->iteration_ps().size());
    jj.push_back(nlohmann::json{{"id", j->id()},
                                {"protocol", j->protocol()},
                                {"aggregated", j->aggregated()},
                                {"fallback", j->fallback_reason()},
                                {"buckets", j->buckets().size()},
                                {"buckets_aggregated",
                                 std::count(j->bucket_aggregated().begin(), j->bucket_aggregated().end(), true)},
                                {"done", j->done()},
                                {"iterations_done", j->iteration_ps().size()},
                                {"training_time_s", j->done() ? double(j->total_ps()) / 1e12 : -1.0},
                                {"iteration_ms_mean", it_mean / 1e9},
                                {"allreduce_gbps", j->allreduce_gbps()},
                                {"hosts", hosts},
                                {"model", j->to_json()["model"]},
                                {"workers", hosts.size()},
                                {"started", true},
                                {"arrival_us", arrival_us},
                                {"start_us", start_us},
                                {"queueing_us", start_us - arrival_us},
                                {"finish_us", j->done() ? double(j->finish_ps()) / 1e6 : -1.0},
                                {"racks", std::unique(racks.begin(), racks.end()) - racks.begin()},
                                {"detail", j->to_json()}});
  }
  // Jobs that arrived but never got hosts, and jobs the run ended before.
  for (size_t i = jobs.size(); scheduler && i < scheduler->arrivals().size(); ++i) {
    const JobArrival& a = scheduler->arrivals()[i];
    const double arrival_us = a.arrival_us, now_us = double(elapsed) / 1e6;
    jj.push_back(nlohmann::json{{"id", i + 1},
                                {"protocol", a.job.protocol},
                                {"aggregated", false},
                                {"fallback", "not started: no free hosts before the run ended"},
                                {"buckets", 0},
                                {"buckets_aggregated", 0},
                                {"done", false},
                                {"iterations_done", 0},
                                {"training_time_s", -1.0},
                                {"iteration_ms_mean", 0.0},
                                {"allreduce_gbps", 0.0},
                                {"hosts", nlohmann::json::array()},
                                {"model", a.job.model},
                                {"workers", a.workers},
                                {"started", false},
                                {"arrival_us", arrival_us},
                                {"start_us", -1.0},
                                {"queueing_us", arrival_us <= now_us ? now_us - arrival_us : 0.0},
                                {"finish_us", -1.0},
                                {"racks", 0}});
  }
  nlohmann::json flows = nlohmann::json::object();
  if (gen) {
    const nlohmann::json s = gen->summary();
    flows = {{"generated", s["generated"]},
             {"completed", s["completed"]},
             {"fct_mean_us", s["fct_us"]["mean"]},
             {"fct_p99_us", s["fct_us"]["p99"]},
             {"short_count", s["short_fct_us"]["count"]},
             {"short_fct_mean_us", s["short_fct_us"]["mean"]},
             {"short_fct_p99_us", s["short_fct_us"]["p99"]},
             {"slowdown_mean", s["slowdown"]["mean"]},
             {"slowdown_p99", s["slowdown"]["p99"]}};
    // Slowdown by flow size bucket.
    nlohmann::json by = nlohmann::json::object();
    uint64_t lo = 0;
    for (auto [hi, name] : kSizeBuckets) {
      SampleSet sd, fct;
      for (const FlowResult& r : gen->results())
        if (r.rec.bytes >= lo && r.rec.bytes < hi) {
          sd.add(r.slowdown);
          fct.add(double(r.rec.fct_ps()) / 1e6);
        }
      by[name] = {{"count", sd.count()}, {"slowdown_mean", sd.mean()}, {"slowdown_p99", sd.percentile(99)},
                  {"fct_mean_us", fct.mean()}, {"fct_p99_us", fct.percentile(99)}};
      lo = hi;
    }
    flows["by_size"] = by;
  } else {
    flows = {{"generated", 0}, {"completed", 0}, {"short_fct_mean_us", 0}, {"short_fct_p99_us", 0}};
  }
  if (explicit_flows) {
    const nlohmann::json e = explicit_flows->summary();
    flows["groups"] = e["groups"];
    flows["measure_from_us"] = e["measure_from_us"];
    flows["measure_to_us"] = e["measure_to_us"];
  }
  uint64_t stalls = 0, contributions = 0, accel_drops = 0;
  int64_t peak = 0;
  for (auto& s : fabric.switches)
    if (auto* ps = dynamic_cast<PSwitch*>(s.get())) {
      const AcceleratorStats& st = ps->accelerator().stats();
      stalls += st.slot_stalls;
      contributions += st.contributions;
      accel_drops += st.drops.total();
      peak = std::max(peak, ps->accelerator().sram.occupancy().peak());
    }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  nlohmann::json summary = nlohmann::json{
      {"scenario", {{"name", cfg.name}, {"seed", cfg.seed}, {"protocol", cfg.protocol}, {"simulated_us", double(elapsed) / 1e6}}},
      {"jobs", jj},
      {"flows", flows},
      {"network", fabric_summary(fabric, elapsed)},
      {"accelerators",
       {{"peak_slots", peak},
        {"slot_stalls", stalls},
        {"contributions", contributions},
        {"drops", accel_drops},
        {"jobs_active_at_end", controller.active_jobs()}}},
      {"drops_lossless", fabric.lossless_drops()},
      {"drops_total", fabric.total_drops()},
      {"host",
       {{"wall_s", wall}, {"build_s", build_s}, {"events", fabric.events.executed()}, {"peak_rss_mb", double(ru.ru_maxrss) / 1024.0}}}};
  if (!out_dir.empty()) {
    sampler.reset();  // flush the time series
    std::ofstream fl(out_dir + "/flows.csv");
    fl << "id,src,dst,bytes,start_us,fct_us,ideal_us,slowdown\n";
    size_t nflows = 0;
    if (gen)
      for (const FlowResult& r : gen->results()) {
        fl << r.rec.id << ',' << r.rec.src << ',' << r.rec.dst << ',' << r.rec.bytes << ',' << double(r.rec.start_ps) / 1e6
           << ',' << double(r.rec.fct_ps()) / 1e6 << ',' << double(r.ideal_ps) / 1e6 << ',' << r.slowdown << '\n';
        ++nflows;
      }
    fl.close();
    if (explicit_flows) explicit_flows->write_csv(out_dir + "/explicit_flows.csv");
    std::ofstream it(out_dir + "/iterations.csv");
    it << "job,iteration,iteration_ms,allreduce_ms\n";
    for (auto& j : jobs)
      for (size_t k = 0; k < j->iteration_ps().size(); ++k)
        it << j->id() << ',' << k << ',' << double(j->iteration_ps()[k]) / 1e9 << ','
           << (k < j->allreduce_ps().size() ? double(j->allreduce_ps()[k]) / 1e9 : 0.0) << '\n';
    it.close();
    write_plots(out_dir, summary, nflows);
    // PNGs only where gnuplot is installed (Debian gnuplot-nox); the script and data are there regardless.
    if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
      const std::string cmd = "cd '" + out_dir + "' && gnuplot plots.gp > /dev/null 2>&1";
      summary["host"]["plots"] = std::system(cmd.c_str()) == 0 ? "written" : "gnuplot failed";
    } else {
      summary["host"]["plots"] = "skipped: gnuplot not installed";
    }
  }
  return summary;
}

}  // namespace panama
