// A dynamic workload (experiment/job_arrivals.h): Poisson and trace arrivals, first-come-first-served
// placement when hosts are free, admission on arrival with shares recomputed, state freed on leaving.
#define BOOST_TEST_MODULE job_arrivals
#include <boost/test/unit_test.hpp>

#include "harness/isolated.h"
#include "experiment/job_arrivals.h"
#include "experiment/scenario.h"

#include <cmath>
#include <fstream>

using namespace panama;
using nlohmann::json;

namespace {
std::string write_file(const std::string& name, const std::string& text) {
  std::ofstream(name) << text;
  return name;
}

// 2 leaves of 4 hosts at 100 Gbps, 2 spines, PSwitches with accelerators wide enough for four 100 Gbps
// children; 8 MB gradients (threshold 4 MB: aggregated), 2 iterations of 200 us compute.
const std::string kBase = R"(
scenario: {duration_us: 50000, seed: 2, placement: spread}
topology: {type: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4, pswitches: all, switch: {ecn_k_packets: 32}}
accelerator: {datapath_bits: 2048, lanes: 64, sram_width_bits: 2048}
controller: {threshold_mb: 4}
jobs:
  - {model: resnet50, workers: 4, iterations: 2, protocol: panama, compute_us: 200, gradient_mb: 8}
)";
}  // namespace

BOOST_AUTO_TEST_CASE(poisson_arrivals_have_the_rate_and_the_mix) {
  JobArrival a, b;
  a.workers = 2;
  b.workers = 3;
  const auto v = poisson_job_arrivals(1000.0, 20000, 500.0, {a, b}, 9);
  BOOST_TEST_REQUIRE(v.size() == 20000u);
  // Exponential gaps of mean 1 / 1000 s = 1000 us: the mean of 20000 has a standard deviation of
  // 1000 / sqrt(20000) = 7.1 us; allow 5 sigma. Templates drawn uniformly: 10000 each, sd 71; 5 sigma.
  BOOST_TEST(v.front().arrival_us > 500.0);
  const double mean_gap = (v.back().arrival_us - 500.0) / 20000.0;
  BOOST_TEST(std::abs(mean_gap - 1000.0) < 36.0, mean_gap);
  size_t twos = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    twos += v[i].workers == 2;
    if (i) BOOST_TEST_REQUIRE(v[i].arrival_us >= v[i - 1].arrival_us);
  }
  BOOST_TEST(std::abs(double(twos) - 10000.0) < 355.0, twos);
  const auto w = poisson_job_arrivals(1000.0, 20000, 500.0, {a, b}, 9);
  BOOST_TEST(w.back().arrival_us == v.back().arrival_us);  // the seed decides
}

BOOST_AUTO_TEST_CASE(traces_are_checked) {
  JobArrival t;
  auto error = [&](const std::string& text) {
    const std::string f = write_file("test_job_arrivals.csv", text);
    try {
      load_job_trace(f, t, 8);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  BOOST_TEST(error("# c\n0,resnet50,4\n5,alexnet,2\n").empty());
  BOOST_TEST(error("0,resnet50,4\n1,nomodel,2\n").find("test_job_arrivals.csv:2: unknown model") != std::string::npos);
  BOOST_TEST(error("0,resnet50,9\n").find("test_job_arrivals.csv:1") != std::string::npos);    // 8 hosts
  BOOST_TEST(error("nan,resnet50,4\n").find("test_job_arrivals.csv:1") != std::string::npos);
  BOOST_TEST(error("0,resnet50,2.5\n").find("test_job_arrivals.csv:1") != std::string::npos);
  BOOST_TEST(error("0,resnet50\n").find("expected arrival_us,model,workers") != std::string::npos);
  BOOST_TEST(error("# nothing\n").find("lists no job") != std::string::npos);
  // Sorted by arrival, stable.
  const std::string f = write_file("test_job_arrivals.csv", "9,alexnet,2\n1,resnet50,3\n1,vgg16,4\n");
  const auto v = load_job_trace(f, t, 8);
  BOOST_TEST(v[0].job.model == "resnet50");
  BOOST_TEST(v[1].job.model == "vgg16");
  BOOST_TEST(v[2].arrival_us == 9.0);
}

BOOST_AUTO_TEST_CASE(a_job_waits_for_hosts_first_come_first_served) {
  // Job 1 takes all 8 hosts at 0; job 2 (4 workers) arrives at 100 us and waits: it starts exactly when
  // job 1 finishes (its hosts are freed by the same event), so queueing = finish(1) - 100 us. Job 3
  // (4 workers, at 150 us) waits too; once job 1 has left both fit (4 + 4 = 8) and start together.
  write_file("test_job_arrivals_fifo.csv", "0,resnet50,8\n100,resnet50,4\n150,resnet50,4\n");
  const std::string p = write_file("test_job_arrivals_fifo.yaml", kBase + "jobs_trace: test_job_arrivals_fifo.csv\n");
  const json s = run_isolated([&] { return run_scenario(load_scenario(p, {})); });
  const json& j = s["jobs"];
  BOOST_TEST_REQUIRE(j.size() == 3u);
  for (const auto& x : j) BOOST_TEST(x["done"].get<bool>());
  const double f1 = j[0]["finish_us"].get<double>();
  BOOST_TEST(j[0]["queueing_us"].get<double>() == 0.0);
  BOOST_TEST(j[1]["start_us"].get<double>() == f1);
  BOOST_TEST(j[1]["queueing_us"].get<double>() == f1 - 100.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(j[2]["start_us"].get<double>() == f1);
  BOOST_TEST(j[2]["arrival_us"].get<double>() == 150.0);
  BOOST_TEST(s["accelerators"]["jobs_active_at_end"].get<int>() == 0);
}

BOOST_AUTO_TEST_CASE(shares_shrink_for_running_jobs_and_grow_back) {
  // Spread placement puts jobs 1 ({0,2,4,6}) and 2 ({1,3,5,7}) across both leaves, so their trees use the
  // same accelerators. Each accelerator gives every job packet_memory / active jobs, and each result
  // carries min over the path of share / trees as cwnd_cap: while both run, each job's cap is half of
  // what a job alone gets. Job 1 runs alone first, but learns the smaller cap from its results once job 2
  // is admitted at 100 us; job 3 arrives at 20 ms, after both left (their contexts freed), and gets the
  // whole share again.
  write_file("test_job_arrivals_share.csv", "0,resnet50,4\n100,resnet50,4\n20000,resnet50,4\n");
  const std::string p = write_file("test_job_arrivals_share.yaml", kBase + "jobs_trace: test_job_arrivals_share.csv\n");
  const json s = run_isolated([&] { return run_scenario(load_scenario(p, {})); });
  const json& j = s["jobs"];
  BOOST_TEST_REQUIRE(j.size() == 3u);
  auto min_cap = [](const json& job) {
    int m = 0xffff;
    for (const auto& t : job["detail"]["workers"][0]["trees"]) m = std::min(m, t["min_cwnd_cap"].get<int>());
    return m;
  };
  const int c1 = min_cap(j[0]), c2 = min_cap(j[1]), c3 = min_cap(j[2]);
  BOOST_TEST_MESSAGE("cwnd_cap: job 1 " << c1 << ", job 2 " << c2 << ", job 3 alone " << c3);
  BOOST_TEST(j[0]["finish_us"].get<double>() > 100.0);  // they overlap
  BOOST_TEST(j[2]["start_us"].get<double>() == 20000.0);
  BOOST_TEST(c1 == c2);
  BOOST_TEST(std::abs(2 * c1 - c3) <= 2, c1 << " vs " << c3);
  BOOST_TEST(s["accelerators"]["jobs_active_at_end"].get<int>() == 0);
}

BOOST_AUTO_TEST_CASE(scenario_keys_are_checked) {
  const std::string p = write_file("test_job_arrivals_keys.yaml", kBase);
  auto error = [&](std::vector<std::string> sets) {
    try {
      load_scenario(p, sets);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  BOOST_TEST(error({"workload.jobs.arrival_rate_per_s=100"}).empty());
  BOOST_TEST(error({"workload.jobs.arrival_rate_per_s=-1"}).find("workload.jobs.arrival_rate_per_s") != std::string::npos);
  BOOST_TEST(error({"workload.jobs.count=5000"}).find("workload.jobs.count") != std::string::npos);
  BOOST_TEST(error({"workload.jobs.arrival_rate_per_s=100", "jobs_trace=x.csv"}).find("jobs_trace") != std::string::npos);
  BOOST_TEST(error({"jobs_trace=no-such.csv"}).find("no file") != std::string::npos);
  // A Poisson run: every arrival is the job record's copy; ids in arrival order.
  const ScenarioConfig cfg = load_scenario(p, {"workload.jobs.arrival_rate_per_s=2000", "workload.jobs.count=3"});
  const json s = run_isolated([&] { return run_scenario(cfg); });
  BOOST_TEST(s["jobs"].size() == 3u);
  for (size_t i = 0; i < 3; ++i) {
    BOOST_TEST(s["jobs"][i]["id"].get<int>() == int(i + 1));
    BOOST_TEST(s["jobs"][i]["done"].get<bool>());
    BOOST_TEST(s["jobs"][i]["start_us"].get<double>() >= s["jobs"][i]["arrival_us"].get<double>());
  }
}
