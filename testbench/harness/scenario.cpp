#include "harness/scenario.h"

#include "network/fabric_stats.h"
#include "network/pswitch.h"
#include "workload/ml_job.h"
#include "workload/model_table.h"

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <memory>

namespace panama {

void ScenarioConfig::register_params(ConfigRegistry& reg) {
  reg.add("scenario.name", &name, "name of the run (copied to the summary)");
  reg.add("scenario.duration_us", &duration_us, "simulated time limit, us", 1.0, 1e9);
  reg.add("scenario.stop_when_jobs_done", &stop_when_jobs_done, "stop once every job has finished");
  reg.add("scenario.seed", &seed, "seed of the fabric, the background flows and the placement", 0, INT64_MAX);
  reg.add_choice("scenario.placement", &placement, "how jobs get hosts", {"packed", "spread"});
  topo.register_params(reg);
  accel.register_params(reg);
  controller.register_params(reg);
  worker.register_params(reg);
  dctcp.register_params(reg);
  ring.register_params(reg);
  flows.register_params(reg);
  reg.add_table("jobs", &jobs, "the job mix, one record per job", {"model", "workers"},
                {"iterations", "protocol", "overlap", "trees", "start_us", "compute_us", "gradient_mb"});
}

namespace {
double field(const std::map<std::string, std::string>& r, const std::string& f, double dflt, size_t i) {
  auto it = r.find(f);
  if (it == r.end()) return dflt;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (*end != '\0' || !(v >= 0))
    throw ConfigError("invalid value '" + it->second + "' for field '" + f + "' in jobs[" + std::to_string(i) + "]");
  return v;
}
std::string text(const std::map<std::string, std::string>& r, const std::string& f, const std::string& dflt) {
  auto it = r.find(f);
  return it == r.end() ? dflt : it->second;
}
uint32_t hosts_of(const TopologyConfig& t) {
  if (t.type == "fat_tree") return t.k * t.k * t.k / 4;
  if (t.type == "leaf_spine") return t.leaves * t.hosts_per_leaf;
  if (t.type == "dumbbell") return 2 * t.senders;
  if (t.type == "incast") return t.senders + 1;
  return t.custom_hosts;
}
}  // namespace

void ScenarioConfig::validate() const {
  topo.validate();
  accel.validate();
  worker.validate();
  dctcp.validate();
  config_require(!jobs.empty() || !flows.cdf.empty(), "jobs", "is empty and there are no background flows: nothing to run");
  uint32_t used = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& r = jobs[i];
    const std::string at = "jobs[" + std::to_string(i) + "]";
    try {
      find_model(r.at("model"));
    } catch (const std::exception& e) {
      throw ConfigError("invalid configuration: " + at + ".model: " + e.what());
    }
    const double w = field(r, "workers", 0, i);
    config_require(w >= 2 && w == double(uint32_t(w)), at + ".workers", "must be a whole number of at least 2");
    used += uint32_t(w);
    const std::string p = text(r, "protocol", "panama");
    config_require(p == "panama" || p == "single_tree" || p == "panama_nocap" || p == "ring", at + ".protocol",
                   "must be one of panama, single_tree, panama_nocap, ring (got '" + p + "')");
    const std::string o = text(r, "overlap", "false");
    config_require(o == "true" || o == "false", at + ".overlap", "must be true or false");
    config_require(field(r, "iterations", 1, i) >= 1, at + ".iterations", "must be at least 1");
  }
  config_require(used <= hosts_of(topo), "jobs",
                 "need " + std::to_string(used) + " hosts but the topology has " + std::to_string(hosts_of(topo)));
}

ScenarioConfig load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  ScenarioConfig cfg;
  ConfigRegistry reg;
  cfg.register_params(reg);
  reg.load_file(path);
  for (const auto& o : overrides) reg.apply_override(o);
  cfg.base_dir = std::filesystem::path(path).parent_path().string();
  if (cfg.base_dir.empty()) cfg.base_dir = ".";
  cfg.validate();
  return cfg;
}

nlohmann::json run_scenario(const ScenarioConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  TopologyConfig topo = cfg.topo;
  topo.seed = cfg.seed;
  Fabric fabric("fabric", topo, cfg.accel);
  Controller controller(fabric, cfg.controller);
  DctcpTransport tcp(fabric, cfg.dctcp);  // before the workers: they chain in front of its stacks

  // Placement: packed = consecutive hosts; spread = every (hosts / workers)-th host from the job's offset.
  const uint32_t n_hosts = uint32_t(fabric.hosts.size());
  std::vector<bool> taken(n_hosts, false);
  std::vector<std::unique_ptr<MlJob>> jobs;
  uint32_t next = 0;
  for (size_t i = 0; i < cfg.jobs.size(); ++i) {
    const auto& r = cfg.jobs[i];
    const uint32_t w = uint32_t(field(r, "workers", 0, i));
    std::vector<uint32_t> hosts;
    if (cfg.placement == "spread") {
      const uint32_t stride = std::max(1u, n_hosts / w);
      for (uint32_t k = 0, h = uint32_t(i); hosts.size() < w && k < 2 * n_hosts; ++k, h = (h + stride) % n_hosts) {
        while (taken[h]) h = (h + 1) % n_hosts;
        taken[h] = true;
        hosts.push_back(h);
      }
    } else {
      while (hosts.size() < w) {
        if (!taken[next]) {
          taken[next] = true;
          hosts.push_back(next);
        }
        ++next;
      }
    }
    MlJobConfig jc;
    jc.model = r.at("model");
    jc.iterations = uint32_t(field(r, "iterations", 1, i));
    jc.protocol = text(r, "protocol", "panama");
    jc.overlap = text(r, "overlap", "false") == "true";
    jc.trees = uint32_t(field(r, "trees", 0, i));
    jc.start_us = field(r, "start_us", 0, i);
    jc.compute_us = r.count("compute_us") ? field(r, "compute_us", 0, i) : -1;
    jc.gradient_bytes = uint64_t(field(r, "gradient_mb", 0, i) * 1e6);
    jobs.push_back(std::make_unique<MlJob>(fabric, controller, &tcp, uint16_t(i + 1), hosts, jc, cfg.worker, &cfg.ring));
  }
  for (auto& j : jobs) j->start();

  std::unique_ptr<FlowSizeCdf> cdf;
  std::unique_ptr<FlowGenerator> gen;
  if (!cfg.flows.cdf.empty()) {
    std::filesystem::path p(cfg.flows.cdf);
    if (p.is_relative() && std::filesystem::exists(std::filesystem::path(cfg.base_dir) / p))
      p = std::filesystem::path(cfg.base_dir) / p;
    if (!std::filesystem::exists(p))
      throw ConfigError("invalid configuration: 'workload.flows.cdf': no file '" + cfg.flows.cdf + "' (looked in " +
                        cfg.base_dir + " and the current directory)");
    cdf = std::make_unique<FlowSizeCdf>(FlowSizeCdf::load(p.string()));
    FlowGenConfig fc = cfg.flows;
    fc.seed = cfg.seed;
    gen = std::make_unique<FlowGenerator>(fabric, tcp, *cdf, fc);
    gen->start();
  }
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Run in slices so that the run can stop as soon as every job is done.
  const auto t1 = std::chrono::steady_clock::now();
  const ps_t end = ps_t(cfg.duration_us * 1e6);
  const ps_t slice = std::max<ps_t>(end / 200, 1000000);
  while (sc_core::sc_time_stamp() < from_ps(end)) {
    const ps_t now = to_ps(sc_core::sc_time_stamp());
    sc_core::sc_start(from_ps(std::min(slice, end - now)));
    const bool all_done = std::all_of(jobs.begin(), jobs.end(), [](auto& j) { return j->done(); });
    if ((cfg.stop_when_jobs_done && !jobs.empty() && all_done) || !sc_core::sc_pending_activity()) break;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const ps_t elapsed = to_ps(sc_core::sc_time_stamp());

  nlohmann::json jj = nlohmann::json::array();
  for (auto& j : jobs) {
    double it_mean = 0;
    for (ps_t t : j->iteration_ps()) it_mean += double(t);
    if (!j->iteration_ps().empty()) it_mean /= double(j->iteration_ps().size());
    jj.push_back(nlohmann::json{{"id", j->id()},
                                {"protocol", j->protocol()},
                                {"aggregated", j->aggregated()},
                                {"fallback", j->fallback_reason()},
                                {"done", j->done()},
                                {"iterations_done", j->iteration_ps().size()},
                                {"training_time_s", j->done() ? double(j->total_ps()) / 1e12 : -1.0},
                                {"iteration_ms_mean", it_mean / 1e9},
                                {"allreduce_gbps", j->allreduce_gbps()},
                                {"detail", j->to_json()}});
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
    const std::pair<uint64_t, const char*> buckets[] = {{100000, "<100KB"}, {1000000, "100KB-1MB"},
                                                        {10000000, "1MB-10MB"}, {UINT64_MAX, ">10MB"}};
    nlohmann::json by = nlohmann::json::object();
    uint64_t lo = 0;
    for (auto [hi, name] : buckets) {
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
  return nlohmann::json{
      {"scenario", {{"name", cfg.name}, {"seed", cfg.seed}, {"simulated_us", double(elapsed) / 1e6}}},
      {"jobs", jj},
      {"flows", flows},
      {"network", fabric_summary(fabric, elapsed)},
      {"accelerators", {{"peak_slots", peak}, {"slot_stalls", stalls}, {"contributions", contributions}, {"drops", accel_drops}}},
      {"drops_lossless", fabric.lossless_drops()},
      {"drops_total", fabric.total_drops()},
      {"host",
       {{"wall_s", wall}, {"build_s", build_s}, {"events", fabric.events.executed()}, {"peak_rss_mb", double(ru.ru_maxrss) / 1024.0}}}};
}

}  // namespace panama
