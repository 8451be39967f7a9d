// Shared-cluster scenarios (`panama run`): loading with clear errors, a tiny end-to-end run whose
// summary keeps the invariants, and determinism (same seed, same summary apart from `host`).
#define BOOST_TEST_MODULE scenario
#include <boost/test/unit_test.hpp>

#include "support/scenario_files.h"
#include "harness/isolated.h"
#include "experiment/scenario.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace panama;
using nlohmann::json;

namespace {

const std::string kSmall = std::string(PANAMA_SOURCE_DIR) + "/testbench/scenarios/small-shared.yaml";

std::string write_temp(const std::string& name, const std::string& text) {
  return test::write_temp("test_scenario", name, text);
}
using test::error_of;

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(f, line);) lines.push_back(line);
  return lines;
}

size_t csv_data_rows(const std::string& path) {
  const size_t lines = lines_of(path).size();
  return lines ? lines - 1 : 0;  // less the header
}

struct Curve {
  size_t points = 0;
  double last_y = 0;
};

// Draws plots.gp's figures into text tables instead of PNGs (gnuplot's `set table`), and returns each
// figure's curves (keyed by the PNG's name without .png) as gnuplot saw them: what it was given to draw.
std::map<std::string, std::vector<Curve>> plotted_curves(const std::string& dir) {
  std::ofstream gp(dir + "/tables.gp");
  const std::string output = "set output '", png = ".png'";
  for (const std::string& line : lines_of(dir + "/plots.gp")) {
    if (line.rfind("set terminal", 0) == 0) continue;
    const bool to_png = line.rfind(output, 0) == 0 && line.size() > output.size() + png.size() &&
                        line.compare(line.size() - png.size(), png.size(), png) == 0;
    if (to_png)
      gp << "set table '" << line.substr(output.size(), line.size() - output.size() - png.size()) << ".table'\n";
    else
      gp << line << '\n';
  }
  gp << "unset table\n";
  gp.close();
  const std::string cmd = "cd '" + dir + "' && gnuplot tables.gp > tables.log 2>&1";
  BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0, "gnuplot failed on tables.gp: see " << dir << "/tables.log");
  std::map<std::string, std::vector<Curve>> figures;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".table") continue;
    std::vector<Curve>& curves = figures[e.path().stem().string()];
    for (const std::string& line : lines_of(e.path().string())) {
      const bool head = line.rfind("# Curve ", 0) == 0 && line.size() > 8 && std::isdigit(line[8]);
      if (head) {  // "# Curve 0 of 2, 4 points" (not "# Curve title: ..."): a new curve
        curves.push_back({});
      } else if (!curves.empty() && !line.empty() && line[0] != '#') {
        std::istringstream xy(line);  // " x y type"
        double x = 0, y = 0;
        if (xy >> x >> y) {
          ++curves.back().points;
          curves.back().last_y = y;
        }
      }
    }
  }
  return figures;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scenario)

BOOST_AUTO_TEST_CASE(scenarios_load_and_bad_ones_name_the_key) {
  const ScenarioConfig ok = load_scenario(kSmall, {});
  BOOST_TEST(ok.jobs.size() == 2u);
  BOOST_TEST(ok.topo.type == "leaf_spine");
  // An unknown key: named with the file and line.
  const std::string f1 = write_temp("unknown", "scenario:\n  duraton_us: 5\n");
  const std::string e1 = error_of(f1);
  BOOST_TEST(e1.find("scenario.duraton_us") != std::string::npos, e1);
  BOOST_TEST(e1.find(f1) != std::string::npos, e1);
  // A bad protocol and too many workers: refused before simulation, naming the record.
  const std::string base = "topology: {type: leaf_spine, leaves: 2, spines: 1, hosts_per_leaf: 2, pswitches: all}\n";
  const std::string e2 = error_of(write_temp("proto", base + "jobs:\n  - {model: resnet50, workers: 2, protocol: magic}\n"));
  BOOST_TEST(e2.find("jobs[0].protocol") != std::string::npos, e2);
  const std::string e3 = error_of(write_temp("hosts", base + "jobs:\n  - {model: resnet50, workers: 9}\n"));
  BOOST_TEST(e3.find("need 9 hosts but the topology has 4") != std::string::npos, e3);
  const std::string e4 = error_of(write_temp("model", base + "jobs:\n  - {model: lenet, workers: 2}\n"));
  BOOST_TEST(e4.find("jobs[0].model") != std::string::npos, e4);
  const std::string e5 = error_of(kSmall, {"scenario.placement=diagonal"});
  BOOST_TEST(e5.find("scenario.placement") != std::string::npos, e5);
}

BOOST_AUTO_TEST_CASE(scenario_gradient_mb_sets_every_job_record) {
  // small-shared.yaml lists two jobs with their own gradients; the key replaces both, exactly.
  const ScenarioConfig c = load_scenario(kSmall, {"scenario.gradient_mb=12.5"});
  BOOST_TEST_REQUIRE(c.jobs.size() == 2u);
  for (size_t i = 0; i < c.jobs.size(); ++i) {
    BOOST_TEST(c.jobs[i].at("gradient_mb") == "12.5");
    BOOST_TEST(job_record(c.jobs[i], i, "test").job.gradient_bytes == 12500000u);
  }
  const std::string e = error_of(kSmall, {"scenario.gradient_mb=-1"});
  BOOST_TEST(e.find("scenario.gradient_mb") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(jobs_that_never_started_are_reported_with_every_field) {
  // dynamic-small.yaml: 12 arrivals at 2000 jobs/s; a run of 1 ms ends before most of them arrive (or
  // find hosts). Their records carry the same fields as the others, zero where nothing happened.
  const json s = run_isolated([] {
    return run_scenario(load_scenario(std::string(PANAMA_SOURCE_DIR) + "/testbench/scenarios/dynamic-small.yaml",
                                      {"scenario.duration_us=1000"}));
  });
  size_t not_started = 0;
  for (const auto& j : s["jobs"]) {
    for (const char* k : {"iterations_done", "allreduce_gbps", "buckets", "iteration_ms_mean", "racks", "hosts"})
      BOOST_TEST(j.contains(k), "job " << j["id"] << " lacks " << k);
    if (!j["started"].get<bool>()) {
      ++not_started;
      BOOST_TEST(j["iterations_done"].get<int>() == 0);
      BOOST_TEST(j["allreduce_gbps"].get<double>() == 0.0);
      BOOST_TEST(j["hosts"].empty());
    }
  }
  BOOST_TEST(s["jobs"].size() == 12u);
  BOOST_TEST(not_started > 0u);
}

BOOST_AUTO_TEST_CASE(a_topology_file_is_loaded_first_and_the_scenario_overrides_it) {
  // topologies/fat-tree-k4.yaml sets k = 4 and ECN K = 100; the scenario keeps k and sets K = 20.
  const std::string f = write_temp("topofile", "scenario:\n  topology_file: " + std::string(PANAMA_SOURCE_DIR) +
                                                   "/topologies/fat-tree-k4.yaml\ntopology:\n  switch:\n    ecn_k_packets: 20\n"
                                                   "jobs:\n  - {model: resnet50, workers: 2}\n");
  const ScenarioConfig c = load_scenario(f, {});
  BOOST_TEST(c.topo.type == "fat_tree");
  BOOST_TEST(c.topo.k == 4u);
  BOOST_TEST(c.topo.sw.ecn_k_packets == 20u);
  const std::string e = error_of(write_temp("notopo", "scenario:\n  topology_file: nowhere.yaml\njobs:\n  - {model: resnet50, workers: 2}\n"));
  BOOST_TEST(e.find("scenario.topology_file") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(run_writes_time_series_and_an_accelerator_vcd) {
  // With an output directory the run writes the CSV time series and records; with scenario.vcd the
  // traced PSwitch accelerator's signals land in a VCD.
  const std::string dir = "test_scenario_out";
  std::filesystem::remove_all(dir);
  json s = run_isolated([&] {
    return run_scenario(load_scenario(kSmall, {"scenario.vcd=" + dir + "/leaf.vcd", "scenario.vcd_switch=2",
                                               "scenario.vcd_to_us=500"}),
                        dir);
  });
  for (const char* f : {"queues.csv", "windows.csv", "flows.csv", "iterations.csv", "plots.gp", "leaf.vcd"})
    BOOST_TEST(std::filesystem::exists(dir + "/" + f), f);
  std::ifstream v(dir + "/leaf.vcd");
  std::stringstream ss;
  ss << v.rdbuf();
  BOOST_TEST(ss.str().find("adder_busy") != std::string::npos);
  std::ifstream it(dir + "/iterations.csv");
  size_t rows = 0;
  for (std::string line; std::getline(it, line);) ++rows;
  BOOST_TEST(rows == 1u + 2u * 2u);  // header + 2 jobs x 2 iterations
}

BOOST_AUTO_TEST_CASE(plots_are_given_every_job_flow_and_size_bucket) {
  // Every CSV's header is declared as such (`set datafile columnheaders`) and no data row is skipped:
  // with headers on, an `every ::1` would also drop the first data row (the first job, flow or bucket).
  const std::string dir = "test_scenario_plots";
  std::filesystem::remove_all(dir);
  const json s = run_isolated([&] { return run_scenario(load_scenario(kSmall, {}), dir); });
  const std::vector<std::string> script = lines_of(dir + "/plots.gp");
  const auto first_plot = std::find_if(script.begin(), script.end(), [](auto& l) { return l.rfind("plot", 0) == 0; });
  BOOST_TEST((std::find(script.begin(), first_plot, "set datafile columnheaders") != first_plot),
             "plots.gp must declare the CSV headers before its first plot");
  for (const std::string& line : script) BOOST_TEST(line.find(" every ") == std::string::npos, line);
  const size_t jobs = csv_data_rows(dir + "/jobs.csv"), flows = csv_data_rows(dir + "/flows.csv"),
               buckets = csv_data_rows(dir + "/slowdown_by_size.csv");
  BOOST_TEST(jobs == s["jobs"].size());
  BOOST_TEST(flows == s["flows"]["completed"].get<size_t>());
  BOOST_TEST(buckets == 4u);  // <100KB, 100KB-1MB, 1MB-10MB, >10MB

  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    BOOST_TEST_MESSAGE("gnuplot is not installed: the points it would draw are not counted");
    return;
  }
  const auto fig = plotted_curves(dir);
  BOOST_TEST_REQUIRE(fig.count("training_time"));
  BOOST_TEST_REQUIRE(fig.at("training_time").size() == 1u);
  BOOST_TEST(fig.at("training_time")[0].points == jobs,
             "training_time.png: " << fig.at("training_time")[0].points << " bars for " << jobs << " jobs");
  BOOST_TEST_REQUIRE(fig.count("slowdown_by_size"));
  BOOST_TEST_REQUIRE(fig.at("slowdown_by_size").size() == 2u);  // mean and p99
  for (const Curve& c : fig.at("slowdown_by_size"))
    BOOST_TEST(c.points == buckets, "slowdown_by_size.png: " << c.points << " bars for " << buckets << " buckets");
  // The CDF adds 1/flows per flow (equal FCTs merge into one point): it ends at 1 only if every flow is in.
  BOOST_TEST_REQUIRE(fig.count("fct_cdf"));
  BOOST_TEST_REQUIRE(fig.at("fct_cdf").size() == 1u);
  BOOST_TEST(fig.at("fct_cdf")[0].last_y == 1.0, boost::test_tools::tolerance(1e-4));
  BOOST_TEST(fig.at("fct_cdf")[0].points <= flows);
  for (const char* lines : {"queues", "windows"}) {
    BOOST_TEST_REQUIRE(fig.count(lines));
    const size_t rows = csv_data_rows(dir + (lines == std::string("queues") ? "/queues_busiest.csv" : "/windows_wide.csv"));
    for (const Curve& c : fig.at(lines))
      BOOST_TEST(c.points == rows, lines << ".png: a line of " << c.points << " points for " << rows << " samples");
  }
}

BOOST_AUTO_TEST_CASE(tiny_run_keeps_the_summary_invariants) {
  // Every job finishes its iterations, the lossless class drops nothing, every background flow that
  // started completes, and the PANAMA job (in-network) all-reduces faster than the ring job: at best
  // twice as fast for large messages (ring moves 2(N-1)/N = 1.5 G per worker at N = 4, INA moves G).
  json s = run_isolated([] { return run_scenario(load_scenario(kSmall, {})); });
  BOOST_TEST_REQUIRE(s["jobs"].size() == 2u);
  for (auto& j : s["jobs"]) {
    BOOST_TEST(j["done"].get<bool>());
    BOOST_TEST(j["iterations_done"].get<int>() == 2);
    BOOST_TEST(j["training_time_s"].get<double>() > 0);
  }
  BOOST_TEST(s["jobs"][0]["aggregated"].get<bool>());
  BOOST_TEST(!s["jobs"][1]["aggregated"].get<bool>());
  BOOST_TEST(s["jobs"][0]["allreduce_gbps"].get<double>() > s["jobs"][1]["allreduce_gbps"].get<double>());
  BOOST_TEST(s["drops_lossless"].get<uint64_t>() == 0u);
  BOOST_TEST(s["flows"]["generated"].get<uint64_t>() > 0u);
  BOOST_TEST(s["flows"]["completed"] == s["flows"]["generated"]);
  BOOST_TEST(s["accelerators"]["slot_stalls"].get<uint64_t>() == 0u);
  BOOST_TEST(s["host"]["wall_s"].get<double>() > 0);
}

BOOST_AUTO_TEST_CASE(same_seed_gives_the_same_summary) {
  json a = run_isolated([] { return run_scenario(load_scenario(kSmall, {})); });
  json b = run_isolated([] { return run_scenario(load_scenario(kSmall, {})); });
  json c = run_isolated([] { return run_scenario(load_scenario(kSmall, {"scenario.seed=2"})); });
  a.erase("host");
  b.erase("host");
  c.erase("host");
  BOOST_TEST((a == b), "same seed, different summaries");
  BOOST_TEST((a != c), "another seed should change the background flows");
}

BOOST_AUTO_TEST_CASE(the_event_list_lookahead_changes_no_result_with_pswitches) {
  // The small scenario (PSwitches everywhere, a PANAMA job, a ring job, background flows) is below
  // the port count that turns the lookahead on; forced on, every summary figure but the wall time must
  // be the same. PANAMA frames are not followed by a switch's prefetch stages; the unicast ones are.
  json off = run_isolated([] { return run_scenario(load_scenario(kSmall, {"topology.lookahead=off"})); });
  json on = run_isolated([] { return run_scenario(load_scenario(kSmall, {"topology.lookahead=on"})); });
  off.erase("host");
  on.erase("host");
  BOOST_TEST((off == on), "lookahead changed the summary:\n" << off.dump() << "\n" << on.dump());
  BOOST_TEST(on["flows"]["completed"].get<uint64_t>() > 0u);
}

BOOST_AUTO_TEST_CASE(a_panama_job_on_hosts_cabled_to_each_other_falls_back_to_the_ring) {
  // No switch to aggregate in (it used to end in std::map::at): the controller says why, the ring runs.
  const std::string f = write_temp("switchless",
                                   "scenario: {duration_us: 2000}\n"
                                   "topology:\n  type: custom\n  custom_hosts: 2\n  links:\n"
                                   "    - {a: h0, b: h1, gbps: 100, delay_ns: 1000}\n"
                                   "jobs:\n  - {model: resnet50, workers: 2, compute_us: 10, gradient_mb: 1}\n");
  const json s = run_isolated([&] { return run_scenario(load_scenario(f, {})); });
  const json& job = s["jobs"][0];
  BOOST_TEST(job["aggregated"].get<bool>() == false);
  BOOST_TEST(job["fallback"].get<std::string>().find("not cabled to a switch") != std::string::npos, job["fallback"]);
  BOOST_TEST(job["done"].get<bool>());
}

BOOST_AUTO_TEST_SUITE_END()
