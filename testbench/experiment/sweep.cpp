#include "experiment/sweep.h"

#include "accelerator/area_model.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/yaml_input.h"
#include "experiment/scenario.h"
#include "experiment/process.h"
#include "experiment/report.h"
#include "experiment/seed_stats.h"

#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

namespace panama {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string at_line(const std::string& file, const YAML::Node& n) { return yaml_where("sweep file " + file, n); }

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw ConfigError(where + ": " + what); }

// The scenario's registry with the base file loaded: the keys a sweep may vary and their base values.
struct BaseRegistry {
  ScenarioConfig cfg;
  ConfigRegistry reg;
  explicit BaseRegistry(const std::string& base) {
    cfg.register_params(reg);
    reg.load_file(base);
  }
};

void check_key(const BaseRegistry& b, const std::string& file, const YAML::Node& key_node) {
  const std::string key = key_node.as<std::string>();
  if (b.reg.is_table(key))
    fail(at_line(file, key_node), "parameter '" + key + "' is a list of records and cannot be swept");
  if (!b.reg.has(key))
    fail(at_line(file, key_node),
         "unknown parameter '" + key + "': not a configuration key of the scenario (see `panama config`)");
}

std::string scalar_text(const std::string& file, const YAML::Node& v, const std::string& key) {
  if (!v.IsScalar())
    fail(at_line(file, v), "value of parameter '" + key + "' must be a scalar (number, boolean or word)");
  return v.as<std::string>();
}

// Rows of `lists` in product order: the last key varies fastest, like nested loops in file order.
void product(const std::vector<std::pair<std::string, std::vector<std::string>>>& lists, size_t k,
             std::vector<std::pair<std::string, std::string>>& cur,
             std::vector<std::vector<std::pair<std::string, std::string>>>& out) {
  if (k == lists.size()) {
    out.push_back(cur);
    return;
  }
  for (const auto& v : lists[k].second) {
    cur.emplace_back(lists[k].first, v);
    product(lists, k + 1, cur, out);
    cur.pop_back();
  }
}

double summary_number(const json& j, const char* a, const char* b = nullptr) {
  const json* p = &j;
  if (!p->contains(a)) return kNaN;
  p = &(*p)[a];
  if (b) {
    if (!p->is_object() || !p->contains(b)) return kNaN;
    p = &(*p)[b];
  }
  return p->is_number() ? p->get<double>() : kNaN;
}

}  // namespace

// ---- the sweep file ----

std::vector<std::string> SweepPoint::overrides() const {
  std::vector<std::string> o;
  for (const auto& [k, v] : params) o.push_back(k + "=" + v);
  return o;
}

std::string SweepPoint::label() const {
  std::string s;
  for (const auto& [k, v] : params) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s;
}

std::string sweep_point_id(const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> sorted = params;
  std::sort(sorted.begin(), sorted.end());
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64
  for (const auto& [k, v] : sorted)
    for (char c : k + "=" + v + "\n") h = (h ^ uint8_t(c)) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

SweepSpec load_sweep(const std::string& path) {
  SweepSpec spec;
  spec.file = path;
  const std::string origin = "sweep file " + path;
  const YAML::Node root = yaml_parse(config_read_file(path, "sweep file"), origin);
  if (!root.IsMap()) throw ConfigError("sweep file " + path + ": expected a map with keys sweep and parameters");
  yaml_check_keys(root, origin);
  for (const auto& kv : root) {
    const std::string k = kv.first.as<std::string>();
    if (k != "sweep" && k != "parameters")
      fail(at_line(path, kv.first), "unknown top-level key '" + k + "' (expected sweep, parameters)");
  }
  const YAML::Node head = root["sweep"];
  if (!head) throw ConfigError("sweep file " + path + ": missing 'sweep:' (base scenario and mode)");
  if (!head.IsMap()) fail(at_line(path, head), "'sweep' must be a map {base: SCENARIO.yaml, mode: product|list}");
  yaml_check_keys(head, origin, "sweep.");
  std::string base_text;
  spec.mode = "product";
  for (const auto& kv : head) {
    const std::string k = kv.first.as<std::string>();
    if (k != "base" && k != "mode")
      fail(at_line(path, kv.first), "unknown key 'sweep." + k + "' (expected base, mode)");
    if (!kv.second.IsScalar()) fail(at_line(path, kv.first), "'sweep." + k + "' must be a scalar");
    (k == "base" ? base_text : spec.mode) = kv.second.as<std::string>();
  }
  if (base_text.empty()) fail(at_line(path, head), "missing 'sweep.base' (the scenario file to vary)");
  if (spec.mode != "product" && spec.mode != "list")
    fail(at_line(path, head["mode"]), "'sweep.mode' is '" + spec.mode + "': expected product or list");
  spec.base = (fs::absolute(fs::path(path)).parent_path() / base_text).lexically_normal().string();

  // The base scenario must load on its own; its registry tells which keys exist.
  std::unique_ptr<BaseRegistry> reg;
  try {
    reg = std::make_unique<BaseRegistry>(spec.base);
    load_scenario(spec.base, {});
  } catch (const ConfigError& e) {
    fail(at_line(path, head["base"]), "base scenario " + spec.base + ": " + e.what());
  }

  const YAML::Node params = root["parameters"];
  if (!params) throw ConfigError("sweep file " + path + ": missing 'parameters:'");
  std::vector<std::vector<std::pair<std::string, std::string>>> sets;
  auto add_key = [&](const std::string& k) {
    if (std::find(spec.keys.begin(), spec.keys.end(), k) == spec.keys.end()) spec.keys.push_back(k);
  };
  if (spec.mode == "product") {
    if (!params.IsMap() || params.size() == 0)
      fail(at_line(path, params), "in product mode 'parameters' must be a map: key -> [values]");
    yaml_check_keys(params, origin, "parameters.");
    // The number of points, before any is made (limits::kSweepPoints).
    double points = 1;
    for (const auto& kv : params) points *= kv.second.IsSequence() ? double(kv.second.size()) : 1.0;
    if (points > double(limits::kSweepPoints))
      fail(at_line(path, params), "the product of the parameters' lists has " + std::to_string(uint64_t(std::min(points, 1e18))) +
                                      " points; at most " + std::to_string(limits::kSweepPoints) + " (docs/input-limits.md)");
    std::vector<std::pair<std::string, std::vector<std::string>>> lists;
    for (const auto& kv : params) {
      const std::string k = kv.first.as<std::string>();
      check_key(*reg, path, kv.first);
      if (!kv.second.IsSequence() || kv.second.size() == 0)
        fail(at_line(path, kv.first), "parameter '" + k + "' must be a non-empty list of values, e.g. [1, 2]");
      std::vector<std::string> values;
      for (const auto& v : kv.second) values.push_back(scalar_text(path, v, k));
      lists.emplace_back(k, values);
      add_key(k);
    }
    std::vector<std::pair<std::string, std::string>> cur;
    product(lists, 0, cur, sets);
  } else {
    if (!params.IsSequence() || params.size() == 0)
      fail(at_line(path, params), "in list mode 'parameters' must be a list of maps, one per point");
    if (params.size() > limits::kSweepPoints)
      fail(at_line(path, params), "the list has " + std::to_string(params.size()) + " points; at most " +
                                      std::to_string(limits::kSweepPoints) + " (docs/input-limits.md)");
    for (const auto& pt : params) {
      if (!pt.IsMap() || pt.size() == 0)
        fail(at_line(path, pt), "each point of a list-mode sweep must be a non-empty map key: value");
      yaml_check_keys(pt, origin);
      std::vector<std::pair<std::string, std::string>> set;
      for (const auto& kv : pt) {
        const std::string k = kv.first.as<std::string>();
        check_key(*reg, path, kv.first);
        set.emplace_back(k, scalar_text(path, kv.second, k));
        add_key(k);
      }
      sets.push_back(set);
    }
  }

  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < sets.size(); ++i) {
    SweepPoint p;
    p.index = i;
    p.params = sets[i];
    p.id = sweep_point_id(p.params);
    if (auto it = seen.find(p.id); it != seen.end())
      throw ConfigError("sweep file " + path + ": points " + std::to_string(it->second) + " and " + std::to_string(i) +
                        " have the same parameters (" + p.label() + ")");
    seen[p.id] = i;
    // Every point is validated as `panama run` would, so that a bad value fails now, not in hour three.
    try {
      load_scenario(spec.base, p.overrides());
    } catch (const ConfigError& e) {
      throw ConfigError("sweep file " + path + ": point " + std::to_string(i) + " (" + p.label() + "): " + e.what());
    }
    spec.points.push_back(std::move(p));
  }
  return spec;
}

// ---- running ----

std::string point_dir(const std::string& out, const SweepPoint& p) { return out + "/points/" + p.id; }

bool point_done(const std::string& out, const SweepPoint& p) {
  return report_read_json(point_dir(out, p) + "/summary.json").has_value();
}

std::string self_executable() { return fs::read_symlink("/proc/self/exe").string(); }

SweepRunStats run_sweep(const SweepSpec& spec, const std::string& out, const std::string& exe, unsigned jobs,
                        long only) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  SweepRunStats st;
  if (jobs == 0) jobs = 1;
  std::vector<const SweepPoint*> todo;
  for (const auto& p : spec.points) {
    if (only >= 0 && p.index != size_t(only)) continue;
    if (point_done(out, p)) {
      std::cout << "point " << p.index << " (" << p.id << ") " << p.label() << ": skipped, "
                << point_dir(out, p) << "/summary.json exists\n";
      ++st.skipped;
    } else {
      todo.push_back(&p);
    }
  }
  struct Running {
    const SweepPoint* p;
    std::chrono::steady_clock::time_point start;
  };
  std::map<pid_t, Running> running;
  size_t next = 0, finished = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && running.size() < jobs) {
      const SweepPoint& p = *todo[next++];
      const std::string dir = point_dir(out, p);
      fs::create_directories(dir);
      fs::remove(dir + "/summary.json");  // an unreadable one from an interrupted run
      json meta = {{"index", p.index}, {"id", p.id}, {"base", spec.base}, {"sweep", spec.file},
                   {"overrides", p.overrides()}};
      report_write_json(dir + "/point.json", meta, "point.json");
      std::vector<std::string> argv = {exe, "run", spec.base};
      for (const auto& o : p.overrides()) {
        argv.push_back("--set");
        argv.push_back(o);
      }
      argv.push_back("--out");
      argv.push_back(dir);
      running[spawn_logged(argv, dir + "/run.log")] = {&p, std::chrono::steady_clock::now()};
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;  // not one of ours
    const SweepPoint& p = *it->second.p;
    const double dt = since(it->second.start);
    running.erase(it);
    ++finished;
    std::cout << "[" << finished << "/" << todo.size() << "] point " << p.index << " (" << p.id << ") " << p.label();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && point_done(out, p)) {
      ++st.run;
      std::cout << ": done in " << report_number(std::round(dt * 100) / 100) << " s\n";
    } else {
      ++st.failed;
      const std::string log = point_dir(out, p) + "/run.log";
      std::cout << ": FAILED (" << exit_text(status) << "): " << last_line(log) << " [log: " << log << "]\n";
    }
    std::cout.flush();
  }
  st.wall_s = since(t0);
  return st;
}

// ---- results ----

std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& cv, bool maximize) {
  std::vector<bool> front(cv.size(), false);
  auto better_or_equal = [&](double a, double b) { return maximize ? a >= b : a <= b; };
  for (size_t i = 0; i < cv.size(); ++i) {
    if (std::isnan(cv[i].first) || std::isnan(cv[i].second)) continue;
    bool dominated = false;
    for (size_t j = 0; j < cv.size() && !dominated; ++j) {
      if (j == i || std::isnan(cv[j].first) || std::isnan(cv[j].second)) continue;
      dominated = cv[j].first <= cv[i].first && better_or_equal(cv[j].second, cv[i].second) &&
                  (cv[j].first < cv[i].first || cv[j].second != cv[i].second);
    }
    front[i] = !dominated;
  }
  return front;
}

namespace {

// A point's figures in results.csv (NaN: not in its summary).
struct SweepRow {
  std::string status;
  std::map<std::string, std::string> param;
  AsicArea asic;
  FpgaResources fpga;
  double gbps = kNaN, t_mean = kNaN, fct_p99 = kNaN, fct_mean = kNaN, stalls = kNaN, peak = kNaN, drops = kNaN,
         wall = kNaN;
  size_t panama_jobs = 0, fallbacks = 0;
  std::vector<double> t_job;
};

// One point's row of results.csv: its parameters, the area of its accelerator and the figures of its
// summary.json (status "missing" without one, "failed" when it ran and left none).
SweepRow read_point(const SweepSpec& spec, const BaseRegistry& base, size_t n_jobs, const std::string& out,
                    const SweepPoint& p) {
  SweepRow r;
  for (const auto& k : spec.keys) r.param[k] = base.reg.get(k);  // list mode: keys a point leaves alone
  for (const auto& [k, v] : p.params) r.param[k] = v;
  const ScenarioConfig cfg = load_scenario(spec.base, p.overrides());
  r.asic = estimate_asic_area(cfg.accel);
  r.fpga = estimate_fpga_resources(cfg.accel);
  r.t_job.assign(n_jobs, kNaN);
  const std::string dir = point_dir(out, p);
  const auto s = report_read_json(dir + "/summary.json");
  if (!s) {
    r.status = fs::exists(dir + "/run.log") ? "failed" : "missing";
    return r;
  }
  r.status = "ok";
  double gsum = 0, tsum = 0;
  bool all_done = true;
  const json& jobs = (*s)["jobs"];
  for (size_t i = 0; i < jobs.size(); ++i) {
    const json& j = jobs[i];
    // In-network protocols count towards the aggregation throughput, fallen back to the host or not:
    // a design too small to admit a job is penalised by the host all-reduce it gets instead.
    if (j.value("protocol", "") != "ring") {
      ++r.panama_jobs;
      gsum += j.value("allreduce_gbps", 0.0);
      if (!j.value("aggregated", false)) ++r.fallbacks;
    }
    const double t = j.value("done", false) ? j.value("training_time_s", kNaN) : kNaN;
    if (i < n_jobs) r.t_job[i] = t;
    if (std::isnan(t)) all_done = false;
    else tsum += t;
  }
  if (r.panama_jobs) r.gbps = gsum / double(r.panama_jobs);
  if (all_done && !jobs.empty()) r.t_mean = tsum / double(jobs.size());
  const json& f = s->value("flows", json::object());
  if (summary_number(f, "short_count") > 0) {
    r.fct_p99 = summary_number(f, "short_fct_p99_us");
    r.fct_mean = summary_number(f, "short_fct_mean_us");
  }
  r.stalls = summary_number(*s, "accelerators", "slot_stalls");
  r.peak = summary_number(*s, "accelerators", "peak_slots");
  r.drops = summary_number(*s, "drops_lossless");
  r.wall = summary_number(*s, "host", "wall_s");
  return r;
}

// results.csv: one row per point, in sweep order.
void write_results_csv(const SweepSpec& spec, const std::vector<SweepRow>& rows, size_t n_jobs,
                       const std::vector<bool>& front_tp, const std::vector<bool>& front_fct, const std::string& out) {
  std::vector<std::string> columns{"index", "id", "status"};
  columns.insert(columns.end(), spec.keys.begin(), spec.keys.end());
  for (const char* k : {"asic_mm2", "fpga_lut", "fpga_ff", "fpga_bram36", "fpga_dsp", "panama_gbps_mean", "panama_jobs",
                        "panama_fallbacks", "training_time_s_mean"})
    columns.push_back(k);
  for (size_t i = 0; i < n_jobs; ++i) columns.push_back("training_time_s_job" + std::to_string(i + 1));
  for (const char* k : {"short_fct_p99_us", "short_fct_mean_us", "slot_stalls", "peak_slots", "drops_lossless", "wall_s",
                        "pareto_throughput", "pareto_fct"})
    columns.push_back(k);
  CsvTable csv(columns);
  for (size_t i = 0; i < rows.size(); ++i) {
    const SweepRow& r = rows[i];
    const bool ok = r.status == "ok";
    csv.integer(static_cast<long long>(spec.points[i].index)).text(spec.points[i].id).text(r.status);
    for (const auto& k : spec.keys) csv.text(r.param.at(k));
    csv.num(r.asic.total_mm2).integer(r.fpga.lut).integer(r.fpga.ff).integer(r.fpga.bram36).integer(r.fpga.dsp)
        .num(r.gbps);
    if (ok) csv.integer(static_cast<long long>(r.panama_jobs)).integer(static_cast<long long>(r.fallbacks));
    else csv.blank().blank();
    csv.num(r.t_mean);
    for (double t : r.t_job) csv.num(t);
    csv.num(r.fct_p99).num(r.fct_mean).num(r.stalls).num(r.peak).num(r.drops).num(r.wall).integer(front_tp[i])
        .integer(front_fct[i]).end_row();
  }
  csv.write(out + "/results.csv", "results.csv");
}

// pareto.dat and pareto.gp (area against throughput and against short-flow FCT p99, each with its front),
// rendered with gnuplot when `plots`.
void write_pareto_plots(const SweepSpec& spec, const std::vector<SweepRow>& rows,
                        const std::vector<std::pair<double, double>>& tp, const std::vector<std::pair<double, double>>& fct,
                        const std::vector<bool>& front_tp, const std::vector<bool>& front_fct, const std::string& out,
                        bool plots) {
  // Pareto data for gnuplot: block 0 = every point with results, 1 = throughput front, 2 = FCT front
  // (fronts sorted by area so that they draw as a staircase of line segments).
  std::ostringstream dat;
  dat << "# index asic_mm2 panama_gbps_mean short_fct_p99_us pareto_throughput pareto_fct\n";
  auto line = [&](size_t i) {
    const SweepRow& r = rows[i];
    auto g = [](double x) { return std::isnan(x) ? std::string("NaN") : report_number(x); };
    dat << spec.points[i].index << " " << report_number(r.asic.total_mm2) << " " << g(r.gbps) << " " << g(r.fct_p99) << " "
        << int(front_tp[i]) << " " << int(front_fct[i]) << "\n";
  };
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].status == "ok") line(i);
  auto front_block = [&](const std::vector<bool>& front, const std::vector<std::pair<double, double>>& cv) {
    std::vector<size_t> idx;
    for (size_t i = 0; i < front.size(); ++i)
      if (front[i]) idx.push_back(i);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return cv[a].first < cv[b].first; });
    dat << "\n\n";
    for (size_t i : idx) line(i);
    return idx.size();
  };
  const size_t n_tp = front_block(front_tp, tp), n_fct = front_block(front_fct, fct);
  report_write(out + "/pareto.dat", dat.str(), "pareto.dat");

  std::ostringstream gp;
  gp << "# Pareto fronts of sweep " << spec.file << " (written by `panama sweep`; run: cd " << out
     << " && gnuplot pareto.gp)\n"
     << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 900,600 } "
        "else { set terminal png size 900,600 }\n"
     << "set grid\nset key below\nset datafile missing 'NaN'\n"
     << "set offsets graph 0.05, graph 0.05, graph 0.08, graph 0.08\n"
     << "set xlabel 'accelerator ASIC area (mm^2)'\n";
  std::vector<std::string> rendered, skipped;
  if (n_tp) {
    gp << "set output 'pareto_throughput.png'\n"
       << "set title 'Area vs. aggregation throughput (Pareto front: least area for the most Gbps; labels: point index)'\n"
       << "set ylabel 'PANAMA all-reduce throughput, mean over jobs (Gbps)'\n"
       << "plot 'pareto.dat' index 0 using 2:3 with points pt 7 lc rgb 'gray60' title 'sweep points', \\\n"
       << "     '' index 1 using 2:3 with steps lw 2 lc rgb 'red' title 'Pareto front', \\\n"
       << "     '' index 1 using 2:3 with points pt 7 ps 1.5 lc rgb 'red' notitle, \\\n"
       << "     '' index 1 using 2:3:1 with labels offset 0,1 notitle\n"
       << "set output\n";
    rendered.push_back("pareto_throughput.png");
  } else {
    skipped.push_back("pareto_throughput.png (no point has a PANAMA job throughput)");
  }
  if (n_fct) {
    gp << "set output 'pareto_fct.png'\n"
       << "set title 'Area vs. short-flow FCT p99 (Pareto front: least area for the lowest p99; labels: point index)'\n"
       << "set ylabel 'short (<100 KB) flow FCT p99 (us)'\n"
       << "plot 'pareto.dat' index 0 using 2:4 with points pt 7 lc rgb 'gray60' title 'sweep points', \\\n"
       << "     '' index 2 using 2:4 with steps lw 2 lc rgb 'blue' title 'Pareto front', \\\n"
       << "     '' index 2 using 2:4 with points pt 7 ps 1.5 lc rgb 'blue' notitle, \\\n"
       << "     '' index 2 using 2:4:1 with labels offset 0,1 notitle\n"
       << "set output\n";
    rendered.push_back("pareto_fct.png");
  } else {
    skipped.push_back("pareto_fct.png (no point has short background flows)");
  }
  report_write(out + "/pareto.gp", gp.str(), "pareto.gp");
  std::cout << "pareto: " << out << "/pareto.gp, " << out << "/pareto.dat (" << n_tp << " points on the throughput front, "
            << n_fct << " on the FCT front)\n";
  for (const auto& s : skipped) std::cout << "plot skipped: " << s << "\n";

  // Plots of an earlier collection would no longer match the data: they go whether or not we redraw.
  for (const char* png : {"pareto_throughput.png", "pareto_fct.png"}) fs::remove(out + "/" + png);
  if (!plots || rendered.empty()) {
    if (!plots) std::cout << "plots skipped: --no-plots\n";
    return;
  }
  const PlotStatus plot = report_render_gnuplot(out, "pareto.gp");
  bool all = plot.ok;
  for (const auto& png : rendered) all = all && fs::exists(out + "/" + png) && fs::file_size(out + "/" + png) > 0;
  if (all) {
    for (const auto& png : rendered) std::cout << "plot: " << out << "/" << png << "\n";
  } else if (plot.status.rfind("skipped", 0) == 0) {
    std::cout << "plots skipped: gnuplot is not installed (Debian: apt-get install gnuplot-nox); render later with "
                 "`cd "
              << out << " && gnuplot pareto.gp`\n";
  } else {
    std::cout << "plots skipped: " << plot.status << "\n";
  }
}

}  // namespace

size_t collect_sweep(const SweepSpec& spec, const std::string& out, bool plots) {
  fs::create_directories(out);
  const BaseRegistry base(spec.base);
  const size_t n_jobs = load_scenario(spec.base, {}).jobs.size();
  std::vector<SweepRow> rows;
  size_t missing = 0;
  for (const auto& p : spec.points) {
    rows.push_back(read_point(spec, base, n_jobs, out, p));
    if (rows.back().status != "ok") ++missing;
  }
  std::vector<std::pair<double, double>> tp, fct;
  for (const auto& r : rows) {
    tp.emplace_back(r.asic.total_mm2, r.gbps);
    fct.emplace_back(r.asic.total_mm2, r.fct_p99);
  }
  const std::vector<bool> front_tp = pareto_front(tp, true), front_fct = pareto_front(fct, false);
  write_results_csv(spec, rows, n_jobs, front_tp, front_fct, out);
  std::cout << "results: " << out << "/results.csv (" << rows.size() << " points, " << rows.size() - missing
            << " with results)\n";
  // Points that differ only in scenario.seed: mean and 95 % interval of every figure (experiment/seed_stats.h).
  write_seed_intervals(spec, out);
  write_pareto_plots(spec, rows, tp, fct, front_tp, front_fct, out, plots);
  return missing;
}

// ---- Slurm ----

std::string emit_slurm(const SweepSpec& spec, const std::string& out, const std::string& exe) {
  const std::string abs_out = fs::absolute(out).lexically_normal().string();
  const std::string abs_file = fs::absolute(spec.file).lexically_normal().string();
  fs::create_directories(abs_out + "/slurm");  // Slurm does not create the folder of --output
  auto q = [](const std::string& s) {  // single-quoted for bash
    std::string r = "'";
    for (char c : s) r += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return r + "'";
  };
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Slurm job array for the sweep " << abs_file << " (" << spec.points.size() << " points), written by\n"
    << "# `panama sweep --emit-slurm`. Task K runs point K; finished points are skipped, so resubmitting\n"
    << "# after a partial run only runs what is missing. When every task is done:\n"
    << "#   " << exe << " sweep " << q(abs_file) << " --collect " << q(abs_out) << "\n"
    << "#SBATCH --job-name=panama-sweep-" << fs::path(spec.file).stem().string() << "\n"
    << "#SBATCH --array=0-" << spec.points.size() - 1 << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=" << abs_out << "/slurm/%A_%a.out\n"
    << "set -eu\n"
    << "exec " << q(exe) << " sweep " << q(abs_file) << " --point \"$SLURM_ARRAY_TASK_ID\" --out " << q(abs_out)
    << "\n";
  const std::string path = abs_out + "/sweep.slurm";
  report_write(path, s.str(), "Slurm script");
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);
  return path;
}

}  // namespace panama
