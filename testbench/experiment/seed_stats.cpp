#include "experiment/seed_stats.h"

#include "common/config.h"
#include "experiment/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <iostream>
#include <limits>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace panama {

double student_t95(size_t df) {
  static const double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                  2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                  2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return std::numeric_limits<double>::quiet_NaN();
  if (df <= 30) return kTable[df - 1];
  // Beyond the table: linear in 1 / df between the tabulated 30, 40, 60, 120 and infinity.
  static const std::pair<double, double> kTail[] = {{30, 2.042}, {40, 2.021}, {60, 2.000}, {120, 1.980}, {INFINITY, 1.960}};
  const double x = 1.0 / double(df);
  for (size_t i = 0; i + 1 < std::size(kTail); ++i) {
    const double x0 = 1.0 / kTail[i].first, x1 = 1.0 / kTail[i + 1].first;
    if (x <= x0 && x >= x1) return kTail[i + 1].second + (kTail[i].second - kTail[i + 1].second) * (x - x1) / (x0 - x1);
  }
  return 1.960;
}

Interval mean_ci95(const std::vector<double>& x) {
  Interval r;
  r.n = x.size();
  if (x.empty()) {
    r.mean = r.half = r.min = r.max = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  double sum = 0;
  for (double v : x) sum += v;
  r.mean = sum / double(x.size());
  r.min = *std::min_element(x.begin(), x.end());
  r.max = *std::max_element(x.begin(), x.end());
  if (x.size() < 2) {
    r.half = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  double ss = 0;
  for (double v : x) ss += (v - r.mean) * (v - r.mean);
  const double sd = std::sqrt(ss / double(x.size() - 1));  // sample standard deviation
  r.half = student_t95(x.size() - 1) * sd / std::sqrt(double(x.size()));
  return r;
}

namespace {
void flatten(const json& j, const std::string& path, std::map<std::string, double>& out) {
  if (j.is_number()) {
    out[path] = j.get<double>();
  } else if (j.is_boolean()) {
    out[path] = j.get<bool>() ? 1.0 : 0.0;
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (path.empty() && k == "host") continue;
      if (k == "detail" || k == "hosts" || k == "busiest_ports") continue;
      flatten(v, path.empty() ? k : path + "." + k, out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) flatten(j[i], path + "." + std::to_string(i), out);
  }
}

const json* at_path(const json& j, const std::string& path) {
  const json* cur = &j;
  std::stringstream ss(path);
  for (std::string part; std::getline(ss, part, '.');) {
    if (!cur->is_object() || !cur->contains(part)) return nullptr;
    cur = &(*cur)[part];
  }
  return cur;
}

std::string as_text(const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }
}  // namespace

std::map<std::string, double> summary_figures(const json& summary) {
  std::map<std::string, double> out;
  flatten(summary, "", out);
  return out;
}

size_t write_seed_intervals(const SweepSpec& spec, const std::string& out) {
  if (std::find(spec.keys.begin(), spec.keys.end(), "scenario.seed") == spec.keys.end()) return 0;
  // Groups: the points' parameters without the seed, in sweep order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::map<std::string, double>>> runs;
  for (const SweepPoint& p : spec.points) {
    std::string g;
    for (const auto& [k, v] : p.params)
      if (k != "scenario.seed") g += (g.empty() ? "" : " ") + k + "=" + v;
    if (g.empty()) g = "(seeds only)";
    if (!runs.count(g)) order.push_back(g);
    auto& list = runs[g];
    if (const auto s = report_read_json(point_dir(out, p) + "/summary.json")) list.push_back(summary_figures(*s));
  }
  CsvTable csv({"group", "figure", "n", "mean", "ci95", "min", "max"});
  size_t max_n = 0;
  for (const std::string& g : order) {
    // Every figure any run of the group has; a run without it does not count towards its n.
    std::map<std::string, std::vector<double>> values;
    for (const auto& r : runs[g])
      for (const auto& [k, v] : r) values[k].push_back(v);
    max_n = std::max(max_n, runs[g].size());
    for (const auto& [k, v] : values) {
      const Interval iv = mean_ci95(v);
      csv.text(g).text(k).integer(static_cast<long long>(iv.n)).num(iv.mean).num(iv.half).num(iv.min).num(iv.max)
          .end_row();
    }
  }
  csv.write(out + "/seed_intervals.csv", "seed_intervals.csv");
  std::cout << "seed intervals: " << out << "/seed_intervals.csv (" << order.size() << " groups, up to " << max_n
            << " seeds each; mean and 95 % Student t interval of every summary figure)\n";
  return order.size();
}

std::vector<json> load_summaries(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& select) {
  if (!fs::is_directory(dir)) throw ConfigError("'" + dir + "' is not a folder of runs");
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() == "summary.json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<json> out;
  for (const std::string& f : files) {
    const std::optional<json> summary = report_read_json(f);
    if (!summary) continue;
    const json& s = *summary;
    // A sweep point's parameters (its point.json overrides, KEY=VALUE as given) select too, so that keys the
    // summary does not echo (scenario.gradient_mb, controller.max_trees, ...) can tell points apart.
    std::map<std::string, std::string> params;
    const fs::path point = fs::path(f).parent_path() / "point.json";
    if (!select.empty() && fs::is_regular_file(point)) {
      const std::optional<json> pj = report_read_json(point.string());
      if (pj && pj->contains("overrides") && (*pj)["overrides"].is_array())
        for (const auto& o : (*pj)["overrides"])
          if (o.is_string()) {
            const std::string t = o.get<std::string>();
            const size_t eq = t.find('=');
            if (eq != std::string::npos) params[t.substr(0, eq)] = t.substr(eq + 1);
          }
    }
    bool match = true;
    for (const auto& [k, v] : select) {
      const json* x = at_path(s, k);
      const auto p = params.find(k);
      match = match && ((x && as_text(*x) == v) || (p != params.end() && p->second == v));
    }
    if (match) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::pair<std::string, double>> compare_figures(const json& s) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto num = [&](const json* j) { return j && j->is_number() ? j->get<double>() : nan; };
  double t = 0, g = 0;
  size_t nt = 0, ng = 0;
  for (const auto& j : s.value("jobs", json::array())) {
    if (j.value("done", false)) {
      t += j.value("training_time_s", 0.0);
      ++nt;
    }
    if (j.contains("allreduce_gbps")) {
      g += j["allreduce_gbps"].get<double>();
      ++ng;
    }
  }
  std::vector<std::pair<std::string, double>> f{{"training_time_s_mean", nt ? t / double(nt) : nan},
                                                 {"allreduce_gbps_mean", ng ? g / double(ng) : nan}};
  const bool short_flows = s.contains("flows") && s["flows"].value("short_count", 0) > 0;
  f.emplace_back("short_fct_mean_us", short_flows ? num(at_path(s, "flows.short_fct_mean_us")) : nan);
  f.emplace_back("short_fct_p99_us", short_flows ? num(at_path(s, "flows.short_fct_p99_us")) : nan);
  for (const char* b : {"<100KB", "100KB-1MB", "1MB-10MB", ">10MB"}) {
    const json* bucket = s.contains("flows") && s["flows"].contains("by_size") && s["flows"]["by_size"].contains(b)
                             ? &s["flows"]["by_size"][b]
                             : nullptr;
    const bool any = bucket && bucket->value("count", 0) > 0;
    f.emplace_back(std::string("fct_mean_us ") + b, any ? num(at_path(*bucket, "fct_mean_us")) : nan);
    f.emplace_back(std::string("fct_p99_us ") + b, any ? num(at_path(*bucket, "fct_p99_us")) : nan);
  }
  return f;
}

json compare_runs(const std::vector<json>& a, const std::vector<json>& b) {
  auto by_seed = [](const std::vector<json>& runs, const char* which) {
    std::map<int64_t, const json*> m;
    for (const json& s : runs) {
      const json* seed = at_path(s, "scenario.seed");
      if (!seed || !seed->is_number_integer()) continue;
      if (!m.emplace(seed->get<int64_t>(), &s).second)
        throw ConfigError(std::string("runs of ") + which + " hold seed " + std::to_string(seed->get<int64_t>()) +
                          " twice: select one configuration (--select-" + (which[0] == 'A' ? "a" : "b") + ")");
    }
    return m;
  };
  const auto ma = by_seed(a, "A"), mb = by_seed(b, "B");
  std::vector<int64_t> seeds;
  for (const auto& [s, _] : ma)
    if (mb.count(s)) seeds.push_back(s);
  if (seeds.empty()) throw ConfigError("A and B have no seed in common (scenario.seed of their summaries)");
  json figures = json::array();
  const size_t nf = compare_figures(*ma.at(seeds[0])).size();
  for (size_t i = 0; i < nf; ++i) {
    std::vector<double> va, vb, ratio;
    std::string name;
    for (int64_t s : seeds) {
      const auto fa = compare_figures(*ma.at(s))[i], fb = compare_figures(*mb.at(s))[i];
      name = fa.first;
      if (std::isnan(fa.second) || std::isnan(fb.second)) continue;
      va.push_back(fa.second);
      vb.push_back(fb.second);
      if (fb.second != 0) ratio.push_back(fa.second / fb.second);
    }
    const Interval ia = mean_ci95(va), ib = mean_ci95(vb), ir = mean_ci95(ratio);
    auto j = [](double x) { return std::isnan(x) ? json(nullptr) : json(x); };
    figures.push_back({{"figure", name}, {"n", ir.n}, {"a_mean", j(ia.mean)}, {"b_mean", j(ib.mean)},
                       {"ratio", j(ir.mean)}, {"ratio_ci95", j(ir.half)}});
  }
  return {{"seeds", seeds}, {"figures", figures}};
}

}  // namespace panama
