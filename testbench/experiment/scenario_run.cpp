// run_scenario (experiment/scenario.h): a ScenarioRun builds the fabric, the jobs and the traffic, runs the
// simulation in slices until the jobs (and, if asked, the background) are done, summarises, and hands the
// records to the report writer (experiment/run_report.h).
#include "experiment/explicit_flows.h"
#include "experiment/job_arrivals.h"
#include "experiment/placement.h"
#include "experiment/report.h"
#include "experiment/run_report.h"
#include "experiment/scenario.h"
#include "network/fabric_stats.h"
#include "network/pswitch.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>

namespace panama {

namespace {

// Samples every switch port's queue and every PANAMA tree window of each job's first worker into
// queues.csv and windows.csv (streamed: a long run's series need not fit in memory).
class RunSampler : public EventHandler {
 public:
  RunSampler(Fabric& f, const std::vector<std::unique_ptr<MlJob>>& jobs, std::function<bool()> done, ps_t interval,
             ps_t until, const std::string& dir)
      : f_(f), jobs_(jobs), done_(std::move(done)), interval_(interval), until_(until),
        q_({"time_us", "switch", "port", "queue_bytes", "tx_bytes", "ecn_marked"}, dir + "/queues.csv", "queues.csv"),
        w_({"time_us", "job", "tree", "cwnd", "alpha"}, dir + "/windows.csv", "windows.csv") {
    f.events.schedule(0, this, 0);
  }
  void on_event(uint32_t, void*, uint64_t) override {
    const ps_t now = f_.ctx.now();
    const double t = double(now) / 1e6;
    for (auto& s : f_.switches)
      for (uint32_t p = 0; p < s->num_ports(); ++p) {
        const EgressPort& ep = s->port(p);
        q_.num(t).text(s->basename()).integer(p).integer(static_cast<long long>(ep.total_bytes()))
            .integer(static_cast<long long>(ep.counters().tx_bytes))
            .integer(static_cast<long long>(ep.counters().ecn_marked)).end_row();
      }
    for (auto& j : jobs_)
      if (!j->workers().empty()) {
        const PanamaWorker& w = *j->workers().front();
        for (uint32_t tr = 0; tr < w.num_trees(); ++tr) {
          const PanamaTreeStats st = w.tree_stats(tr);
          w_.num(t).integer(j->id()).integer(tr).num(st.cwnd).num(st.alpha).end_row();
        }
      }
    if (now + interval_ <= until_ && !done_()) f_.events.schedule(now + interval_, this, 0);
  }
  void close() {
    q_.close();
    w_.close();
  }

 private:
  Fabric& f_;
  const std::vector<std::unique_ptr<MlJob>>& jobs_;
  std::function<bool()> done_;
  ps_t interval_, until_;
  CsvTable q_, w_;
};

ps_t us_to_ps(double us) { return ps_t(us * 1e6 + 0.5); }

class ScenarioRun {
 public:
  ScenarioRun(const ScenarioConfig& cfg, const std::string& out_dir)
      : cfg_(cfg), out_dir_(out_dir), topo_(with_seed(cfg.topo, cfg.seed)), fabric_("fabric", topo_, cfg.accel),
        controller_(fabric_, cfg.controller), tcp_(fabric_, cfg.dctcp) {  // (tcp before the workers: they chain
                                                                           // in front of its stacks)
    build_jobs();
    build_traffic();
    attach_vcd();
    if (!out_dir_.empty())
      sampler_ = std::make_unique<RunSampler>(fabric_, jobs_, [this] { return jobs_done(); }, us_to_ps(cfg_.sample_us),
                                              end(), out_dir_);
  }

  // Runs in slices, so that the run stops as soon as every job (and with wait_for_flows every background
  // flow) is done. `progress`: a progress line on standard error.
  void run(bool progress);
  nlohmann::json summary(double build_s) const;
  // The report files beside summary.json; sets summary.host.plots.
  void write_report(nlohmann::json& summary);

 private:
  static TopologyConfig with_seed(TopologyConfig t, int64_t seed) {
    t.seed = seed;
    return t;
  }
  ps_t end() const { return ps_t(cfg_.duration_us * 1e6); }
  bool jobs_done() const {
    return std::all_of(jobs_.begin(), jobs_.end(), [](auto& j) { return j->done(); }) &&
           (!scheduler_ || scheduler_->all_done());
  }
  void build_jobs();
  void build_traffic();
  void attach_vcd();
  nlohmann::json job_summaries(ps_t elapsed) const;
  nlohmann::json flow_summary() const;

  const ScenarioConfig& cfg_;
  std::string out_dir_;
  TopologyConfig topo_;
  Fabric fabric_;
  Controller controller_;
  DctcpTransport tcp_;
  std::vector<std::unique_ptr<MlJob>> jobs_;
  std::unique_ptr<JobScheduler> scheduler_;
  std::unique_ptr<FlowSizeCdf> cdf_;
  std::unique_ptr<FlowGenerator> gen_;
  std::unique_ptr<ExplicitFlows> explicit_flows_;
  std::unique_ptr<VcdFile> vcd_;
  std::unique_ptr<RunSampler> sampler_;
  double wall_s_ = 0;
};

// Placement (experiment/placement.h): every job's hosts, from the policy, the racks and the seed; or, with
// arrivals (experiment/job_arrivals.h), each job's when it arrives and hosts are free.
void ScenarioRun::build_jobs() {
  std::vector<JobArrival> arrivals = cfg_.job_arrivals();
  for (JobArrival& a : arrivals) {
    if (!cfg_.protocol.empty()) a.job.protocol = cfg_.protocol;
    if (cfg_.bucket_mb >= 0) a.job.bucket_mb = cfg_.bucket_mb;
  }
  if (!arrivals.empty()) {
    scheduler_ = std::make_unique<JobScheduler>(fabric_, controller_, tcp_, cfg_.worker, cfg_.ring, cfg_.placement,
                                                uint64_t(cfg_.seed), std::move(arrivals), jobs_);
    scheduler_->start();
    return;
  }
  std::vector<JobRecord> records;
  std::vector<uint32_t> workers;
  for (size_t i = 0; i < cfg_.jobs.size(); ++i) {
    records.push_back(job_record(cfg_.jobs[i], i, "job table"));
    workers.push_back(records.back().workers);
  }
  const std::vector<std::vector<uint32_t>> placed =
      place_jobs(cfg_.placement, host_racks(fabric_), workers, uint64_t(cfg_.seed));
  for (size_t i = 0; i < records.size(); ++i) {
    MlJobConfig jc = records[i].job;
    if (!cfg_.protocol.empty()) jc.protocol = cfg_.protocol;
    if (cfg_.bucket_mb >= 0) jc.bucket_mb = cfg_.bucket_mb;
    jobs_.push_back(
        std::make_unique<MlJob>(fabric_, controller_, &tcp_, uint16_t(i + 1), placed[i], jc, cfg_.worker, &cfg_.ring));
  }
  for (auto& j : jobs_) j->start();
}

void ScenarioRun::build_traffic() {
  if (!cfg_.flows.cdf.empty()) {
    cdf_ = std::make_unique<FlowSizeCdf>(FlowSizeCdf::load(cfg_.cdf_file()));
    FlowGenConfig fc = cfg_.flows;
    fc.seed = cfg_.seed;
    gen_ = std::make_unique<FlowGenerator>(fabric_, tcp_, *cdf_, fc);
    gen_->start();
  }
  if (!cfg_.flow_table.empty()) {
    std::vector<ExplicitFlow> list;
    for (size_t i = 0; i < cfg_.flow_table.size(); ++i)
      list.push_back(explicit_flow(cfg_.flow_table[i], i, "flows table", uint32_t(fabric_.hosts.size())));
    explicit_flows_ = std::make_unique<ExplicitFlows>(fabric_, tcp_, std::move(list), us_to_ps(cfg_.measure_from_us),
                                                      us_to_ps(cfg_.measure_end_us()));
    explicit_flows_->start();
  }
}

void ScenarioRun::attach_vcd() {
  if (cfg_.vcd.empty()) return;
  auto* ps = cfg_.vcd_switch < fabric_.switches.size() ? dynamic_cast<PSwitch*>(fabric_.switches[cfg_.vcd_switch].get())
                                                       : nullptr;
  if (!ps)
    throw ConfigError("invalid configuration: 'scenario.vcd_switch' (" + std::to_string(cfg_.vcd_switch) +
                      ") is not a PSwitch of this topology");
  vcd_ = std::make_unique<VcdFile>(cfg_.vcd);
  ps->accelerator().trace(vcd_->get(), ps_t(cfg_.vcd_from_us * 1e6), ps_t(cfg_.vcd_to_us * 1e6));
}

void ScenarioRun::run(bool progress) {
  const auto t1 = std::chrono::steady_clock::now();
  const ps_t end = this->end();
  const ps_t slice = std::max<ps_t>(end / 200, 1000000);
  // With wait_for_flows, the background must have arrived in full and drained as well: a protocol that
  // finishes its jobs sooner must not be compared on fewer (and later-cut) background flows.
  const ps_t flows_end = ps_t((cfg_.flows.start_us + cfg_.flows.duration_us) * 1e6);
  while (sc_core::sc_time_stamp() < from_ps(end)) {
    const ps_t now = to_ps(sc_core::sc_time_stamp());
    sc_core::sc_start(from_ps(std::min(slice, end - now)));
    const ps_t t = to_ps(sc_core::sc_time_stamp());
    if (progress) {
      const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      const double frac = double(t) / double(end);
      std::fprintf(stderr, "\r  %8.0f / %.0f us simulated  %6.2f M events/s  ETA %5.0f s ", double(t) / 1e6,
                   cfg_.duration_us, w > 0 ? double(fabric_.events.executed()) / w / 1e6 : 0.0,
                   frac > 0 ? w / frac - w : 0.0);
    }
    const bool flows_done = !cfg_.wait_for_flows || !gen_ || (t >= flows_end && gen_->in_flight() == 0);
    const bool any_jobs = !jobs_.empty() || scheduler_;
    if ((cfg_.stop_when_jobs_done && any_jobs && jobs_done() && flows_done) || !sc_core::sc_pending_activity()) break;
  }
  if (progress) std::fprintf(stderr, "\n");
  if (vcd_) vcd_->close();
  wall_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
}

nlohmann::json ScenarioRun::job_summaries(ps_t elapsed) const {
  nlohmann::json jj = nlohmann::json::array();
  const std::vector<uint32_t> rack_of = host_racks(fabric_);
  for (const auto& j : jobs_) {
    const std::vector<uint32_t>& hosts = j->plan().workers;
    std::vector<uint32_t> racks;
    for (uint32_t h : hosts) racks.push_back(rack_of[h]);
    std::sort(racks.begin(), racks.end());
    // Arrival: the trace's or Poisson's time, or the job table's start_us; queueing until hosts were free.
    const double arrival_us = scheduler_ ? scheduler_->arrivals()[j->id() - 1].arrival_us : double(j->start_ps()) / 1e6;
    const double start_us = double(j->start_ps()) / 1e6;
    double it_mean = 0;
    for (ps_t t : j->iteration_ps()) it_mean += double(t);
    if (!j->iteration_ps().empty()) it_mean /= double(j->iteration_ps().size());
    const nlohmann::json detail = j->to_json();
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
                                {"model", detail["model"]},
                                {"workers", hosts.size()},
                                {"started", true},
                                {"arrival_us", arrival_us},
                                {"start_us", start_us},
                                {"queueing_us", start_us - arrival_us},
                                {"finish_us", j->done() ? double(j->finish_ps()) / 1e6 : -1.0},
                                {"racks", std::unique(racks.begin(), racks.end()) - racks.begin()},
                                {"detail", detail}});
  }
  // Jobs that arrived but never got hosts, and jobs the run ended before: every field, as for the others.
  for (size_t i = jobs_.size(); scheduler_ && i < scheduler_->arrivals().size(); ++i) {
    const JobArrival& a = scheduler_->arrivals()[i];
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
  return jj;
}

nlohmann::json ScenarioRun::flow_summary() const {
  nlohmann::json flows;
  if (gen_) {
    const nlohmann::json s = gen_->summary();
    flows = {{"generated", s["generated"]},
             {"completed", s["completed"]},
             {"fct_mean_us", s["fct_us"]["mean"]},
             {"fct_p99_us", s["fct_us"]["p99"]},
             {"short_count", s["short_fct_us"]["count"]},
             {"short_fct_mean_us", s["short_fct_us"]["mean"]},
             {"short_fct_p99_us", s["short_fct_us"]["p99"]},
             {"slowdown_mean", s["slowdown"]["mean"]},
             {"slowdown_p99", s["slowdown"]["p99"]}};
    nlohmann::json by = nlohmann::json::object();
    uint64_t lo = 0;
    for (const SizeBucket& b : kSizeBuckets) {
      SampleSet sd, fct;
      for (const FlowResult& r : gen_->results())
        if (r.rec.bytes >= lo && r.rec.bytes < b.below) {
          sd.add(r.slowdown);
          fct.add(double(r.rec.fct_ps()) / 1e6);
        }
      by[b.name] = {{"count", sd.count()}, {"slowdown_mean", sd.mean()}, {"slowdown_p99", sd.percentile(99)},
                    {"fct_mean_us", fct.mean()}, {"fct_p99_us", fct.percentile(99)}};
      lo = b.below;
    }
    flows["by_size"] = by;
  } else {
    flows = {{"generated", 0}, {"completed", 0}, {"short_fct_mean_us", 0}, {"short_fct_p99_us", 0}};
  }
  if (explicit_flows_) {
    const nlohmann::json e = explicit_flows_->summary();
    flows["groups"] = e["groups"];
    flows["measure_from_us"] = e["measure_from_us"];
    flows["measure_to_us"] = e["measure_to_us"];
  }
  return flows;
}

nlohmann::json ScenarioRun::summary(double build_s) const {
  const ps_t elapsed = to_ps(sc_core::sc_time_stamp());
  uint64_t stalls = 0, contributions = 0, accel_drops = 0;
  int64_t peak = 0;
  for (auto& s : fabric_.switches)
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
      {"scenario",
       {{"name", cfg_.name}, {"seed", cfg_.seed}, {"protocol", cfg_.protocol}, {"simulated_us", double(elapsed) / 1e6}}},
      {"jobs", job_summaries(elapsed)},
      {"flows", flow_summary()},
      {"network", fabric_summary(fabric_, elapsed)},
      {"accelerators",
       {{"peak_slots", peak},
        {"slot_stalls", stalls},
        {"contributions", contributions},
        {"drops", accel_drops},
        {"jobs_active_at_end", controller_.active_jobs()}}},
      {"drops_lossless", fabric_.lossless_drops()},
      {"drops_total", fabric_.total_drops()},
      {"host",
       {{"wall_s", wall_s_},
        {"build_s", build_s},
        {"events", fabric_.events.executed()},
        {"peak_rss_mb", double(ru.ru_maxrss) / 1024.0}}}};
}

void ScenarioRun::write_report(nlohmann::json& summary) {
  if (out_dir_.empty()) return;
  sampler_->close();  // the time series complete before the report reads them
  RunRecords r{summary};
  if (gen_) r.flows = &gen_->results();
  r.explicit_flows = explicit_flows_.get();
  r.jobs = &jobs_;
  summary["host"]["plots"] = write_run_report(out_dir_, r);
}

}  // namespace

nlohmann::json run_scenario(const ScenarioConfig& cfg, const std::string& out_dir, bool progress) {
  const auto t0 = std::chrono::steady_clock::now();
  // Outputs first, before anything is built: the VCD may go into the output directory.
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir);
  if (!cfg.vcd.empty()) vcd_check_output(cfg.vcd, "scenario.vcd");
  ScenarioRun run(cfg, out_dir);
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run.run(progress);
  nlohmann::json summary = run.summary(build_s);
  run.write_report(summary);
  return summary;
}

}  // namespace panama
