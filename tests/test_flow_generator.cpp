// Background-traffic generator: the empirical flow-size CDF (loading, errors, analytic mean, sampling),
// Poisson arrivals at a target load, and a short run on a leaf-spine whose FCTs are never below the ideal.
// Simulations run in their own process (run_isolated), because SystemC allows one elaboration per process.
#define BOOST_TEST_MODULE flow_generator
#include <boost/test/unit_test.hpp>

#include "harness/isolated.h"
#include "network/topology.h"
#include "transport/dctcp.h"
#include "workload/flow_generator.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <unistd.h>

using namespace panama;
using nlohmann::json;

namespace {

// The flow-size CDFs shipped with the scenarios.
std::string flows_dir() { return std::string(PANAMA_SOURCE_DIR) + "/testbench/data/flows"; }

std::string websearch() { return flows_dir() + "/websearch.cdf"; }

// Writes `text` to a fresh file in the temp directory and returns its path.
std::string temp_file(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("panama_test_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p.string();
}

// Loads `text` as a CDF file and returns the error message (empty if it loaded).
std::string load_error(const std::string& name, const std::string& text, std::string* path_out = nullptr) {
  const std::string path = temp_file(name, text);
  if (path_out) *path_out = path;
  std::string msg;
  try {
    FlowSizeCdf::load(path);
  } catch (const std::runtime_error& e) {
    msg = e.what();
  }
  std::filesystem::remove(path);
  return msg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(flow_size_cdf)

BOOST_AUTO_TEST_CASE(websearch_mean_matches_integral_of_the_survival_function) {
  // Independent check of the piecewise-linear mean: E[X] = integral_0^inf (1 - F(x)) dx, by the trapezoid
  // rule on each segment (exact for a linear F), against FlowSizeCdf::mean()'s sum of segment midpoints.
  const FlowSizeCdf cdf = FlowSizeCdf::load(websearch());
  double integral = cdf.points().front().first;  // F = 0 below the first point (it is at 0 %)
  const auto& p = cdf.points();
  for (size_t i = 1; i < p.size(); ++i)
    integral += (p[i].first - p[i - 1].first) * ((100 - p[i - 1].second) + (100 - p[i].second)) / 2 / 100;
  BOOST_TEST_MESSAGE("websearch mean " << cdf.mean() << " B (survival integral " << integral << ")");
  BOOST_TEST(cdf.mean() == integral, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(cdf.mean() == 1711250.0, boost::test_tools::tolerance(1e-9));  // hand sum over the 11 segments
}

BOOST_AUTO_TEST_CASE(sampled_mean_of_200k_flows_is_within_1_percent) {
  // Inverse-transform samples: the websearch sizes have a standard deviation of 3.97 MB around a 1.71 MB
  // mean, so the mean of 200k samples has a standard error of 0.52%; 1% is about two standard errors (and
  // the seed is fixed, so the test is deterministic).
  const FlowSizeCdf cdf = FlowSizeCdf::load(websearch());
  std::mt19937_64 rng(2024);
  double sum = 0;
  uint64_t small = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const uint64_t b = cdf.sample(rng);
    sum += double(b);
    small += b <= 10000;
  }
  BOOST_TEST_MESSAGE("sampled mean " << sum / n << " B vs analytic " << cdf.mean() << "; P(<=10 KB) "
                     << double(small) / n);
  BOOST_TEST(sum / n == cdf.mean(), boost::test_tools::tolerance(0.01));
  // The CDF's first segment: 15% of flows at or below 10 KB (binomial standard error 0.08%).
  BOOST_TEST(double(small) / n == 0.15, boost::test_tools::tolerance(0.03));
}

BOOST_AUTO_TEST_CASE(every_shipped_cdf_loads) {
  for (const char* name : {"websearch.cdf", "fb-hadoop.cdf"}) {
    const FlowSizeCdf cdf = FlowSizeCdf::load(flows_dir() + "/" + name);
    BOOST_TEST_MESSAGE(name << ": " << cdf.points().size() << " points, mean " << cdf.mean() << " B");
    BOOST_TEST(cdf.points().back().second == 100.0);
    BOOST_TEST(cdf.mean() > cdf.points().front().first);
    BOOST_TEST(cdf.mean() < cdf.points().back().first);
  }
}

BOOST_AUTO_TEST_CASE(quantiles_interpolate_linearly) {
  const FlowSizeCdf cdf = FlowSizeCdf::load(websearch());
  BOOST_TEST(cdf.quantile(15) == 10000.0);
  BOOST_TEST(cdf.quantile(17.5) == 15000.0);   // halfway between (10000, 15) and (20000, 20)
  BOOST_TEST(cdf.quantile(100) == 30000000.0);
  BOOST_TEST(cdf.quantile(0) == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_files_are_rejected_naming_file_and_line) {
  std::string path;
  std::string m = load_error("decreasing.cdf", "0 0\n1000 10\n900 20\n5000 100\n", &path);
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(m.find(path + ":3:") != std::string::npos);
  BOOST_TEST(m.find("increasing") != std::string::npos);

  m = load_error("percent_down.cdf", "0 0\n1000 30\n2000 20\n5000 100\n", &path);
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(m.find(path + ":3:") != std::string::npos);
  BOOST_TEST(m.find("decrease") != std::string::npos);

  m = load_error("no100.cdf", "0 0\n1000 50\n\n2000 90\n", &path);
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(m.find(path + ":4:") != std::string::npos);  // the last point's line (line 3 is blank)
  BOOST_TEST(m.find("100") != std::string::npos);

  m = load_error("garbage.cdf", "0 0\n1000 fifty\n2000 100\n", &path);
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(m.find(path + ":2:") != std::string::npos);
  BOOST_TEST(m.find("1000 fifty") != std::string::npos);

  m = load_error("extra.cdf", "0 0\n1000 50 7\n2000 100\n", &path);
  BOOST_TEST(m.find(path + ":2:") != std::string::npos);

  m = load_error("over100.cdf", "0 0\n1000 150\n", &path);
  BOOST_TEST(m.find(path + ":2:") != std::string::npos);

  m = load_error("empty.cdf", "# only a comment\n", &path);
  BOOST_TEST(m.find(path) != std::string::npos);

  BOOST_CHECK_THROW(FlowSizeCdf::load("/nonexistent/flows.cdf"), std::runtime_error);
  BOOST_TEST(load_error("ok.cdf", "# comment\n0 0\n1000 50\n2000 100\n").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(poisson_arrivals)

BOOST_AUTO_TEST_CASE(inter_arrival_mean_is_one_over_lambda) {
  // 16 hosts at 100 Gbps, load 0.5, websearch: lambda = 0.5 x 100e9 x 16 / (8 x 1711250) = 58,437 flows/s.
  // Exponential gaps have a standard deviation equal to their mean, so 100k gaps give a 0.32% standard
  // error; 2% is six standard errors.
  const FlowSizeCdf cdf = FlowSizeCdf::load(websearch());
  const double lambda = flow_arrival_rate(0.5, 100.0, 16, cdf.mean());
  BOOST_TEST(lambda == 0.5 * 100e9 * 16 / (8 * 1711250.0), boost::test_tools::tolerance(1e-12));
  PoissonArrivals arr(lambda, 7);
  const int n = 100000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double g = double(arr.next_gap_ps()) * 1e-12;
    sum += g;
    sum2 += g * g;
  }
  const double mean = sum / n, cv = std::sqrt(sum2 / n - mean * mean) / mean;
  BOOST_TEST_MESSAGE("lambda " << lambda << "/s: mean gap " << mean * 1e6 << " us vs " << 1e6 / lambda
                     << " us, coefficient of variation " << cv);
  BOOST_TEST(mean == 1.0 / lambda, boost::test_tools::tolerance(0.02));
  BOOST_TEST(cv == 1.0, boost::test_tools::tolerance(0.02));  // exponential: sd = mean
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(flow_generator_run)

BOOST_AUTO_TEST_CASE(leaf_spine_flows_complete_no_faster_than_ideal) {
  // 8 hosts on a 2-leaf, 2-spine fabric at 100 Gbps (uplinks 200 Gbps, 1 us links), websearch sizes at load
  // 0.3 for 1 ms of arrivals, run until idle. The rate is lambda = 0.3 x 100e9 x 8 / (8 x 1711250) =
  // 17,532 flows/s (about 17.5 flows in 1 ms: the count is Poisson, so it is checked within 4 sigma).
  // Every flow must complete, and no FCT may beat the ideal (an exact lower bound: all segments back to
  // back on the empty path), so every slowdown is >= 1.
  const json j = run_isolated([] {
    TopologyConfig t;
    t.type = "leaf_spine";
    t.leaves = 2;
    t.spines = 2;
    t.hosts_per_leaf = 4;
    t.host_gbps = 100;
    Fabric fabric("fabric", t);
    DctcpTransport tcp(fabric, DctcpConfig{});
    const FlowSizeCdf cdf = FlowSizeCdf::load(websearch());
    FlowGenConfig g;
    g.load = 0.3;
    g.duration_us = 1000;
    g.seed = 11;
    FlowGenerator gen(fabric, tcp, cdf, g);
    gen.start();
    sc_core::sc_start();
    double min_slowdown = 1e9;
    for (const auto& r : gen.results()) min_slowdown = std::min(min_slowdown, r.slowdown);
    json s = gen.summary();
    s["min_slowdown"] = min_slowdown;
    s["drops"] = fabric.total_drops();
    s["expected_lambda"] = 0.3 * 100e9 * 8 / (8 * cdf.mean());
    return s;
  });
  BOOST_TEST_MESSAGE("leaf-spine run: " << j.dump());
  BOOST_TEST(j["lambda_per_s"].get<double>() == j["expected_lambda"].get<double>(), boost::test_tools::tolerance(1e-12));
  const double expect = j["lambda_per_s"].get<double>() * 1e-3;
  const double got = j["generated"].get<double>();
  BOOST_TEST(std::fabs(got - expect) <= 4 * std::sqrt(expect));
  BOOST_TEST(got >= 1.0);
  BOOST_TEST(j["completed"].get<uint64_t>() == j["generated"].get<uint64_t>());
  BOOST_TEST(j["min_slowdown"].get<double>() >= 1.0);
}

BOOST_AUTO_TEST_CASE(given_pairs_are_the_only_ones_used) {
  // A pair list restricts sources and destinations; lambda counts only the listed sources (here 2).
  const json j = run_isolated([] {
    TopologyConfig t;
    t.type = "leaf_spine";
    t.leaves = 2;
    t.spines = 1;
    t.hosts_per_leaf = 2;
    t.host_gbps = 100;
    Fabric fabric("fabric", t);
    DctcpTransport tcp(fabric, DctcpConfig{});
    std::istringstream small("0 0\n10000 50\n20000 100\n");  // mean 10 KB: many short flows
    const FlowSizeCdf cdf = FlowSizeCdf::parse(small, "small");
    FlowGenConfig g;
    g.load = 0.2;
    g.duration_us = 200;
    FlowGenerator gen(fabric, tcp, cdf, g);
    gen.set_pairs({{0, 3}, {1, 2}});
    gen.start();
    sc_core::sc_start();
    json pairs = json::array();
    for (const auto& r : gen.results()) pairs.push_back(json::array({r.rec.src, r.rec.dst}));
    return json{{"pairs", pairs}, {"lambda", gen.lambda_per_s()}, {"generated", gen.generated()}};
  });
  BOOST_TEST(j["lambda"].get<double>() == 0.2 * 100e9 * 2 / (8 * 10000.0), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(j["pairs"].size() == j["generated"].get<size_t>());
  BOOST_TEST(j["pairs"].size() > 10u);  // ~50 expected
  for (const auto& p : j["pairs"]) {
    const auto s = p[0].get<uint32_t>(), d = p[1].get<uint32_t>();
    BOOST_TEST(((s == 0 && d == 3) || (s == 1 && d == 2)));
  }
}

BOOST_AUTO_TEST_SUITE_END()
