// Design-space sweeps (`panama sweep`): the sweep file's points and ids, refusal of bad files before
// anything runs, the Pareto front, and an end-to-end 2 x 2 sweep of the small shared cluster run by the
// real `panama` binary (PANAMA_BIN): CSV rows and area, resume without re-running, --collect, --point
// and the emitted Slurm array script.
#define BOOST_TEST_MODULE sweep
#include <boost/test/unit_test.hpp>

#include "accelerator/area_model.h"
#include "common/config.h"
#include "experiment/scenario.h"
#include "experiment/sweep.h"

#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace panama;
namespace fs = std::filesystem;

namespace {

const std::string kSmall = std::string(PANAMA_SOURCE_DIR) + "/testbench/scenarios/small-shared.yaml";
const std::string kWork = fs::absolute("test_sweep_work").string();

// Writes a sweep file into the work folder whose base is small-shared.yaml, relative to the sweep file.
std::string write_sweep(const std::string& name, const std::string& mode, const std::string& params_yaml) {
  fs::create_directories(kWork);
  const std::string path = kWork + "/" + name + ".yaml";
  std::ofstream(path) << "sweep:\n  base: " << fs::relative(kSmall, kWork).string() << "\n  mode: " << mode
                      << "\nparameters:\n"
                      << params_yaml;
  return path;
}

const std::string k2x2 = "  accelerator.sram_kib: [256, 1024]\n  controller.max_trees: [1, 4]\n";

std::string error_of(const std::string& path) {
  try {
    load_sweep(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

struct Result {
  int rc = -1;
  std::string out;
  double wall_s = 0;
};

std::string panama_bin() {
  const char* b = std::getenv("PANAMA_BIN");
  return b ? b : "";
}

// Runs `panama ARGS` (stdout and stderr together) and returns its exit status and output.
Result run_panama(const std::string& args) {
  Result r;
  const auto t0 = std::chrono::steady_clock::now();
  FILE* p = popen(("'" + panama_bin() + "' " + args + " 2>&1").c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string x;
  while (std::getline(ss, x, sep)) v.push_back(x);
  return v;
}

// results.csv as header -> column index plus the data rows (no quoted fields in these sweeps).
struct Csv {
  std::map<std::string, size_t> col;
  std::vector<std::vector<std::string>> rows;
  const std::string& at(size_t row, const std::string& c) const { return rows.at(row).at(col.at(c)); }
};
Csv read_csv(const std::string& path) {
  Csv c;
  const auto lines = split(slurp(path), '\n');
  BOOST_TEST_REQUIRE(!lines.empty());
  const auto head = split(lines[0], ',');
  for (size_t i = 0; i < head.size(); ++i) c.col[head[i]] = i;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    c.rows.push_back(split(lines[i], ','));  // the last column (pareto_fct) is never empty
  }
  return c;
}

bool have_gnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

}  // namespace

BOOST_AUTO_TEST_SUITE(sweep)

BOOST_AUTO_TEST_CASE(product_points_come_in_nested_loop_order_with_stable_ids) {
  const SweepSpec s = load_sweep(write_sweep("order", "product", k2x2));
  BOOST_TEST(s.base == fs::path(kSmall).lexically_normal().string());
  BOOST_TEST_REQUIRE(s.points.size() == 4u);  // 2 x 2
  BOOST_TEST((s.keys == std::vector<std::string>{"accelerator.sram_kib", "controller.max_trees"}));
  // The last key varies fastest, as in nested loops written in file order.
  const std::vector<std::string> want = {"accelerator.sram_kib=256 controller.max_trees=1",
                                         "accelerator.sram_kib=256 controller.max_trees=4",
                                         "accelerator.sram_kib=1024 controller.max_trees=1",
                                         "accelerator.sram_kib=1024 controller.max_trees=4"};
  for (size_t i = 0; i < 4; ++i) {
    BOOST_TEST(s.points[i].index == i);
    BOOST_TEST(s.points[i].label() == want[i]);
    BOOST_TEST(s.points[i].id.size() == 16u);
    BOOST_TEST(s.points[i].id.find_first_not_of("0123456789abcdef") == std::string::npos, s.points[i].id);
  }
  // The id names the parameter set, not its position or key order: the same point in a list-mode file
  // with the keys swapped has the same id, so a reordered or extended sweep reuses finished points.
  const SweepSpec l = load_sweep(write_sweep("list", "list",
                                             "  - {controller.max_trees: 4, accelerator.sram_kib: 1024}\n"
                                             "  - {accelerator.sram_kib: 256}\n"));
  BOOST_TEST_REQUIRE(l.points.size() == 2u);
  BOOST_TEST(l.points[0].id == s.points[3].id);
  BOOST_TEST(l.points[1].id != s.points[0].id);  // max_trees left at the base value is another parameter set
  BOOST_TEST((l.keys == std::vector<std::string>{"controller.max_trees", "accelerator.sram_kib"}));
}

BOOST_AUTO_TEST_CASE(bad_sweep_files_are_refused_naming_the_key_and_line) {
  struct Case {
    std::string name, text, expect1, expect2;
  };
  const std::string head = "sweep:\n  base: " + fs::relative(kSmall, kWork).string() + "\n";
  const std::vector<Case> cases = {
      {"toplevel", head + "parameters:\n" + k2x2 + "params:\n  x: [1]\n", "unknown top-level key 'params'", "line 6"},
      {"key", head + "parameters:\n  accelerator.sram_kb: [256, 512]\n", "unknown parameter 'accelerator.sram_kb'",
       "line 4"},
      {"table", head + "parameters:\n  jobs: [1]\n", "parameter 'jobs' is a list of records", "line 4"},
      {"value", head + "parameters:\n  controller.max_trees: [2, 99]\n", "controller.max_trees", "point 1"},
      {"shape", head + "parameters:\n  accelerator.lanes: 16\n", "must be a non-empty list of values", "line 4"},
      {"nested", head + "parameters:\n  accelerator.lanes: [[16]]\n", "must be a scalar", "line 4"},
      {"listshape", head + "  mode: list\nparameters:\n  accelerator.lanes: [16]\n", "must be a list of maps",
       "line 5"},
      {"mode", head + "  mode: grid\nparameters:\n" + k2x2, "'sweep.mode' is 'grid'", "line 3"},
      {"base", "sweep:\n  base: nowhere.yaml\nparameters:\n" + k2x2, "cannot open configuration file", "line 2"},
      {"duplicate", head + "  mode: list\nparameters:\n  - {accelerator.lanes: 16}\n  - {accelerator.lanes: 16}\n",
       "points 0 and 1 have the same parameters", ""},
  };
  fs::create_directories(kWork);
  for (const auto& c : cases) {
    const std::string path = kWork + "/bad_" + c.name + ".yaml";
    std::ofstream(path) << c.text;
    const std::string e = error_of(path);
    BOOST_TEST(e.find(c.expect1) != std::string::npos, c.name << ": " << e);
    BOOST_TEST(e.find(c.expect2) != std::string::npos, c.name << ": " << e);
    BOOST_TEST(e.find(path) != std::string::npos, c.name << ": the error should name the file: " << e);
  }
}

BOOST_AUTO_TEST_CASE(pareto_front_keeps_only_the_non_dominated_points) {
  const double nan = std::nan("");
  // (area, Gbps), more Gbps is better: B dominates A (same area, more Gbps); C costs more for no gain
  // over B; D costs more and gives more (on the front); E ties B exactly (both stay); F has no result.
  const std::vector<std::pair<double, double>> tp = {{1, 50}, {1, 60}, {2, 60}, {3, 70}, {1, 60}, {0.5, nan}};
  BOOST_TEST((pareto_front(tp, true) == std::vector<bool>{false, true, false, true, true, false}));
  // (area, p99 us), lower is better.
  const std::vector<std::pair<double, double>> fct = {{1, 200}, {2, 100}, {3, 150}, {0.5, 300}};
  BOOST_TEST((pareto_front(fct, false) == std::vector<bool>{true, true, false, true}));
}

BOOST_AUTO_TEST_CASE(a_2x2_sweep_runs_resumes_and_collects_the_same_csv) {
  BOOST_TEST_REQUIRE(!panama_bin().empty(), "PANAMA_BIN is not set (CTest sets it to the panama binary)");
  const std::string file = write_sweep("grid", "product", k2x2);
  const std::string out = kWork + "/grid_out";
  fs::remove_all(out);

  // A bad key is refused before any run: no point folder is created.
  const std::string bad = write_sweep("grid_bad", "product", k2x2 + "  panama.use_cwnd_cp: [true, false]\n");
  const Result rb = run_panama("sweep '" + bad + "' -j 2 --out '" + out + "'");
  BOOST_TEST(rb.rc == 2, rb.out);
  BOOST_TEST(rb.out.find("unknown parameter 'panama.use_cwnd_cp'") != std::string::npos, rb.out);
  BOOST_TEST(!fs::exists(out + "/points"), "a refused sweep must not run anything");

  const Result r1 = run_panama("sweep '" + file + "' -j 2 --out '" + out + "'");
  BOOST_TEST_REQUIRE(r1.rc == 0, r1.out);
  BOOST_TEST(r1.out.find("4 run, 0 skipped, 0 failed") != std::string::npos, r1.out);
  const std::string csv1 = slurp(out + "/results.csv");
  const Csv c = read_csv(out + "/results.csv");
  BOOST_TEST_REQUIRE(c.rows.size() == 4u, csv1);
  for (const char* col : {"index", "id", "status", "accelerator.sram_kib", "controller.max_trees", "asic_mm2",
                          "fpga_lut", "fpga_ff", "fpga_bram36", "fpga_dsp", "panama_gbps_mean", "training_time_s_mean",
                          "training_time_s_job1", "training_time_s_job2", "short_fct_p99_us", "short_fct_mean_us",
                          "slot_stalls", "wall_s", "pareto_throughput", "pareto_fct"})
    BOOST_TEST(c.col.count(col) == 1u, "missing column " << col);
  const SweepSpec spec = load_sweep(file);
  for (size_t i = 0; i < 4; ++i) {
    BOOST_TEST(c.at(i, "index") == std::to_string(i));
    BOOST_TEST(c.at(i, "id") == spec.points[i].id);
    BOOST_TEST(c.at(i, "status") == "ok");
    BOOST_TEST(c.at(i, "accelerator.sram_kib") == (i < 2 ? "256" : "1024"));
    BOOST_TEST(c.at(i, "controller.max_trees") == (i % 2 ? "4" : "1"));
    BOOST_TEST(std::stod(c.at(i, "panama_gbps_mean")) > 0);
    BOOST_TEST(std::stod(c.at(i, "training_time_s_mean")) > 0);
    // The area column is the area model of the point's accelerator config.
    const ScenarioConfig cfg = load_scenario(kSmall, spec.points[i].overrides());
    BOOST_TEST(std::stod(c.at(i, "asic_mm2")) == estimate_asic_area(cfg.accel).total_mm2,
               boost::test_tools::tolerance(1e-6));
    BOOST_TEST(std::stoull(c.at(i, "fpga_bram36")) == estimate_fpga_resources(cfg.accel).bram36);
  }
  // Four times the SRAM is more area and more BRAM; the tree count does not change the hardware.
  for (size_t i : {0, 1}) {
    BOOST_TEST(std::stod(c.at(i + 2, "asic_mm2")) > std::stod(c.at(i, "asic_mm2")));
    BOOST_TEST(std::stoull(c.at(i + 2, "fpga_bram36")) > std::stoull(c.at(i, "fpga_bram36")));
  }
  BOOST_TEST(c.at(0, "asic_mm2") == c.at(1, "asic_mm2"));
  // Some point is on each front (every point has results).
  size_t on_tp = 0, on_fct = 0;
  for (size_t i = 0; i < 4; ++i) {
    on_tp += c.at(i, "pareto_throughput") == "1";
    on_fct += c.at(i, "pareto_fct") == "1";
  }
  BOOST_TEST(on_tp >= 1u);
  BOOST_TEST(on_fct >= 1u);
  BOOST_TEST(fs::exists(out + "/pareto.gp"));
  BOOST_TEST(fs::exists(out + "/pareto.dat"));
  if (have_gnuplot()) {
    BOOST_TEST(fs::file_size(out + "/pareto_throughput.png") > 0u, r1.out);
    BOOST_TEST(fs::file_size(out + "/pareto_fct.png") > 0u, r1.out);
  } else {
    BOOST_TEST(r1.out.find("plots skipped: gnuplot is not installed") != std::string::npos, r1.out);
  }

  // Resume: every point has its summary, so nothing runs, the summaries are untouched and the CSV is the same.
  std::map<std::string, fs::file_time_type> mtimes;
  for (const auto& p : spec.points) mtimes[p.id] = fs::last_write_time(point_dir(out, p) + "/summary.json");
  const Result r2 = run_panama("sweep '" + file + "' -j 2 --out '" + out + "'");
  BOOST_TEST_REQUIRE(r2.rc == 0, r2.out);
  BOOST_TEST(r2.out.find("0 run, 4 skipped, 0 failed") != std::string::npos, r2.out);
  for (const auto& p : spec.points)
    BOOST_TEST((fs::last_write_time(point_dir(out, p) + "/summary.json") == mtimes[p.id]), p.id << " was re-run");
  BOOST_TEST(r2.wall_s < r1.wall_s, "resume took " << r2.wall_s << " s, the first run " << r1.wall_s << " s");
  BOOST_TEST(slurp(out + "/results.csv") == csv1);

  // --collect rebuilds the same CSV from the summaries alone.
  fs::remove(out + "/results.csv");
  const Result r3 = run_panama("sweep '" + file + "' --collect '" + out + "'");
  BOOST_TEST_REQUIRE(r3.rc == 0, r3.out);
  BOOST_TEST(r3.out.find(" run, ") == std::string::npos, "--collect must not run points: " << r3.out);
  BOOST_TEST(slurp(out + "/results.csv") == csv1);

  // --json: every point with its parameters and its run's summary (for scripts).
  const Result rj = run_panama("sweep '" + file + "' --collect '" + out + "' --no-plots --json '" + out + "/all.json'");
  BOOST_TEST_REQUIRE(rj.rc == 0, rj.out);
  const nlohmann::json all = nlohmann::json::parse(slurp(out + "/all.json"));
  BOOST_TEST_REQUIRE(all["points"].size() == 4u);
  for (const auto& p : all["points"]) {
    BOOST_TEST(p["params"].contains("accelerator.sram_kib"));
    BOOST_TEST(p["summary"]["jobs"].size() >= 1u);
  }

  // A lost summary: collect marks the point failed (it has a run.log) and exits 1; resume re-runs only it.
  fs::remove(point_dir(out, spec.points[2]) + "/summary.json");
  const Result r4 = run_panama("sweep '" + file + "' --collect '" + out + "' --no-plots");
  BOOST_TEST(r4.rc == 1, r4.out);
  BOOST_TEST(read_csv(out + "/results.csv").at(2, "status") == "failed");
  const Result r5 = run_panama("sweep '" + file + "' --out '" + out + "' --no-plots");
  BOOST_TEST(r5.rc == 0, r5.out);
  BOOST_TEST(r5.out.find("1 run, 3 skipped, 0 failed") != std::string::npos, r5.out);
}

BOOST_AUTO_TEST_CASE(point_runs_one_point_and_emit_slurm_writes_a_job_array) {
  BOOST_TEST_REQUIRE(!panama_bin().empty(), "PANAMA_BIN is not set (CTest sets it to the panama binary)");
  const std::string file = write_sweep("slurm", "product", k2x2);
  const std::string out = kWork + "/slurm_out";
  fs::remove_all(out);
  const Result e = run_panama("sweep '" + file + "' --emit-slurm --out '" + out + "'");
  BOOST_TEST_REQUIRE(e.rc == 0, e.out);
  const std::string script = slurp(out + "/sweep.slurm");
  BOOST_TEST(script.find("#SBATCH --array=0-3\n") != std::string::npos, script);
  BOOST_TEST(script.find("--point \"$SLURM_ARRAY_TASK_ID\" --out '" + out + "'") != std::string::npos, script);
  BOOST_TEST(fs::is_directory(out + "/slurm"), "Slurm needs the --output folder to exist");
  BOOST_TEST(!fs::exists(out + "/points"), "--emit-slurm must not run anything");

  // What array task 2 does: exactly that point, no CSV (the tasks would race on it).
  const SweepSpec spec = load_sweep(file);
  const Result p = run_panama("sweep '" + file + "' --point 2 --out '" + out + "'");
  BOOST_TEST_REQUIRE(p.rc == 0, p.out);
  BOOST_TEST(fs::exists(point_dir(out, spec.points[2]) + "/summary.json"));
  size_t dirs = 0;
  for ([[maybe_unused]] const auto& d : fs::directory_iterator(out + "/points")) ++dirs;
  BOOST_TEST(dirs == 1u);
  BOOST_TEST(!fs::exists(out + "/results.csv"));
  const Result bad = run_panama("sweep '" + file + "' --point 4 --out '" + out + "'");
  BOOST_TEST(bad.rc == 2, bad.out);
  BOOST_TEST(bad.out.find("points 0 to 3") != std::string::npos, bad.out);
  // Collecting a partial sweep writes every row, with the missing ones marked, and exits 1.
  const Result c = run_panama("sweep '" + file + "' --collect '" + out + "' --no-plots");
  BOOST_TEST(c.rc == 1, c.out);
  const Csv csv = read_csv(out + "/results.csv");
  BOOST_TEST_REQUIRE(csv.rows.size() == 4u);
  for (size_t i = 0; i < 4; ++i) BOOST_TEST(csv.at(i, "status") == (i == 2 ? "ok" : "missing"));
}

BOOST_AUTO_TEST_CASE(config_lists_exactly_the_keys_of_the_subcommand) {
  BOOST_TEST_REQUIRE(!panama_bin().empty(), "PANAMA_BIN is not set (CTest sets it to the panama binary)");
  // run (and sweep, whose parameters are run keys): scenario and model keys and the job table, but not
  // the accelerator bench's.
  for (const std::string sub : {"run", "sweep", ""}) {
    const Result r = run_panama("config " + sub);
    BOOST_TEST(r.rc == 0, sub << ": " << r.out);
    for (const char* k : {"\nscenario.seed:", "\nscenario.wait_for_flows:", "\ntopology.k:", "\naccelerator.sram_kib:", "\njobs:"})
      BOOST_TEST(r.out.find(k) != std::string::npos, "config " << sub << " lacks " << k);
    BOOST_TEST(r.out.find("accel_bench.") == std::string::npos, "config " << sub << " lists accel_bench keys");
  }
  const Result a = run_panama("config accel");
  BOOST_TEST(a.rc == 0);
  BOOST_TEST(a.out.find("accel_bench.children:") != std::string::npos);
  BOOST_TEST(a.out.find("accelerator.sram_kib:") != std::string::npos);
  BOOST_TEST(a.out.find("scenario.") == std::string::npos);
  const Result t = run_panama("config topo");
  BOOST_TEST(t.rc == 0);
  BOOST_TEST(t.out.find("topology.k:") != std::string::npos);
  BOOST_TEST(t.out.find("accelerator.") == std::string::npos);
  BOOST_TEST(run_panama("config bogus").rc == 2);
}

BOOST_AUTO_TEST_SUITE_END()
