// Confidence intervals over seeds (experiment/seed_stats.h): the t quantiles, the interval arithmetic,
// the figures of a summary, the sweep's seed groups and the paired comparison of two configurations.
#define BOOST_TEST_MODULE seed_stats
#include <boost/test/unit_test.hpp>

#include "common/config.h"
#include "experiment/seed_stats.h"

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace panama;
using nlohmann::json;
namespace fs = std::filesystem;
namespace tt = boost::test_tools;

namespace {
json run(int64_t seed, const std::string& protocol, double t0, double t1, double short_p99) {
  return {{"scenario", {{"seed", seed}, {"protocol", protocol}}},
          {"jobs",
           {{{"id", 1}, {"done", true}, {"training_time_s", t0}, {"allreduce_gbps", 10.0}, {"detail", {{"x", 1}}}},
            {{"id", 2}, {"done", true}, {"training_time_s", t1}, {"allreduce_gbps", 30.0}, {"hosts", {1, 2}}}}},
          {"flows", {{"short_count", 10}, {"short_fct_mean_us", 5.0}, {"short_fct_p99_us", short_p99}}},
          {"host", {{"wall_s", 1.5}}}};
}
}  // namespace

BOOST_AUTO_TEST_CASE(t_quantiles) {
  // The standard table of t_{0.975, df}.
  BOOST_TEST(student_t95(1) == 12.706);
  BOOST_TEST(student_t95(4) == 2.776);
  BOOST_TEST(student_t95(30) == 2.042);
  BOOST_TEST(student_t95(40) == 2.021);
  BOOST_TEST(student_t95(120) == 1.980);
  // df = 35: 1/35 lies between 1/30 and 1/40, at (1/35 - 1/40) / (1/30 - 1/40) = 3/7 of the way up from
  // 40: 2.021 + 3/7 x 0.021 = 2.030.
  BOOST_TEST(student_t95(35) == 2.021 + 3.0 / 7.0 * 0.021, tt::tolerance(1e-12));
  BOOST_TEST(std::abs(student_t95(1000000) - 1.960) < 0.0001);
  BOOST_TEST(std::isnan(student_t95(0)));
}

BOOST_AUTO_TEST_CASE(interval_of_a_sample) {
  // {1, 2, 3, 4, 5}: mean 3, sample sd sqrt(10 / 4) = 1.5811, half = t(4) s / sqrt(5) = 2.776 x 0.7071
  // = 1.9630.
  const Interval iv = mean_ci95({1, 2, 3, 4, 5});
  BOOST_TEST(iv.n == 5u);
  BOOST_TEST(iv.mean == 3.0);
  BOOST_TEST(iv.half == 2.776 * std::sqrt(2.5) / std::sqrt(5.0), tt::tolerance(1e-12));
  BOOST_TEST(iv.min == 1.0);
  BOOST_TEST(iv.max == 5.0);
  BOOST_TEST(std::isnan(mean_ci95({7}).half));  // one run: no interval
}

BOOST_AUTO_TEST_CASE(figures_of_a_summary) {
  const auto f = summary_figures(run(3, "ring", 2, 4, 9));
  BOOST_TEST(f.at("jobs.0.training_time_s") == 2.0);
  BOOST_TEST(f.at("jobs.1.done") == 1.0);
  BOOST_TEST(f.at("flows.short_fct_p99_us") == 9.0);
  BOOST_TEST(f.at("scenario.seed") == 3.0);
  BOOST_TEST(!f.count("host.wall_s"));   // wall clock: not a figure of the model
  BOOST_TEST(!f.count("jobs.0.detail.x"));
  BOOST_TEST(!f.count("jobs.1.hosts.0"));
}

BOOST_AUTO_TEST_CASE(paired_ratios_over_seeds) {
  // Mean training times per seed: A 3, 5, 9; B 1.5, 2.5, 3 -> ratios 2, 2, 3: mean 7/3, sample sd
  // sqrt(((1/3)^2 x 2 + (2/3)^2) / 2) = 0.57735, half = t(2) s / sqrt(3) = 4.303 x 0.33333 = 1.4343.
  const std::vector<json> a{run(1, "ring", 2, 4, 10), run(2, "ring", 4, 6, 10), run(3, "ring", 8, 10, 10)};
  const std::vector<json> b{run(1, "panama", 1, 2, 5), run(2, "panama", 2, 3, 5), run(3, "panama", 2, 4, 5)};
  const json r = compare_runs(a, b);
  BOOST_TEST(r["seeds"].size() == 3u);
  const json& t = r["figures"][0];
  BOOST_TEST(t["figure"] == "training_time_s_mean");
  BOOST_TEST(t["n"].get<int>() == 3);
  BOOST_TEST(t["a_mean"].get<double>() == 17.0 / 3.0, tt::tolerance(1e-12));
  BOOST_TEST(t["ratio"].get<double>() == 7.0 / 3.0, tt::tolerance(1e-12));
  BOOST_TEST(t["ratio_ci95"].get<double>() == 4.303 * std::sqrt(1.0 / 3.0) / std::sqrt(3.0), tt::tolerance(1e-12));
  // Short-flow p99 10 against 5 on every seed: ratio 2 exactly, interval 0.
  for (const auto& x : r["figures"])
    if (x["figure"] == "short_fct_p99_us") {
      BOOST_TEST(x["ratio"].get<double>() == 2.0);
      BOOST_TEST(x["ratio_ci95"].get<double>() == 0.0);
    }
  // Only common seeds pair; none, or one seed twice, is refused.
  BOOST_TEST(compare_runs({a[1], a[2]}, b)["seeds"].size() == 2u);
  BOOST_CHECK_THROW(compare_runs({a[0]}, {b[1]}), ConfigError);
  BOOST_CHECK_THROW(compare_runs({a[0], b[0]}, b), ConfigError);
}

BOOST_AUTO_TEST_CASE(sweep_groups_by_everything_but_the_seed) {
  const std::string out = "test_seed_stats_out";
  fs::remove_all(out);
  SweepSpec spec;
  spec.keys = {"scenario.protocol", "scenario.seed"};
  size_t k = 0;
  for (const std::string proto : {"ring", "panama"})
    for (int seed = 1; seed <= 3; ++seed) {
      SweepPoint p;
      p.index = k++;
      p.params = {{"scenario.protocol", proto}, {"scenario.seed", std::to_string(seed)}};
      p.id = sweep_point_id(p.params);
      spec.points.push_back(p);
      fs::create_directories(point_dir(out, p));
      // Job 0's training time: 1, 2, 3 (ring) and 10, 20, 30 (panama).
      std::ofstream(point_dir(out, p) + "/summary.json") << run(seed, proto, seed * (proto == "ring" ? 1 : 10), 1, 1).dump();
    }
  BOOST_TEST(write_seed_intervals(spec, out) == 2u);
  std::ifstream f(out + "/seed_intervals.csv");
  std::string line, ring, panama;
  while (std::getline(f, line)) {
    if (line.rfind("scenario.protocol=ring,jobs.0.training_time_s,", 0) == 0) ring = line;
    if (line.rfind("scenario.protocol=panama,jobs.0.training_time_s,", 0) == 0) panama = line;
  }
  // {1, 2, 3}: mean 2, sd 1, half = 4.303 / sqrt(3) = 2.48433821 (to the report writer's nine significant
  // digits); ten times that for panama.
  BOOST_TEST(ring == "scenario.protocol=ring,jobs.0.training_time_s,3,2,2.48433821,1,3");
  BOOST_TEST(panama == "scenario.protocol=panama,jobs.0.training_time_s,3,20,24.8433821,10,30");
}

BOOST_AUTO_TEST_CASE(a_sweep_point_is_selected_by_its_parameters_too) {
  // Two points that differ only in a key the summary does not echo (scenario.gradient_mb): selecting by
  // it finds each one through its point.json; a summary field selects as before; both must match.
  const std::string out = "test_seed_stats_select";
  fs::remove_all(out);
  for (const std::string mb : {"10", "40"}) {
    const std::string dir = out + "/points/p" + mb;
    fs::create_directories(dir);
    std::ofstream(dir + "/summary.json") << run(1, "ring", mb == "10" ? 1 : 4, 1, 1).dump();
    std::ofstream(dir + "/point.json")
        << json{{"overrides", {"scenario.protocol=ring", "scenario.gradient_mb=" + mb}}}.dump();
  }
  BOOST_TEST(load_summaries(out).size() == 2u);
  const auto forty = load_summaries(out, {{"scenario.gradient_mb", "40"}});
  BOOST_TEST_REQUIRE(forty.size() == 1u);
  BOOST_TEST(forty[0]["jobs"][0]["training_time_s"].get<double>() == 4.0);
  BOOST_TEST(load_summaries(out, {{"scenario.gradient_mb", "40"}, {"scenario.protocol", "ring"}}).size() == 1u);
  BOOST_TEST(load_summaries(out, {{"scenario.gradient_mb", "40"}, {"scenario.protocol", "panama"}}).empty());
  BOOST_TEST(load_summaries(out, {{"scenario.gradient_mb", "20"}}).empty());
}
