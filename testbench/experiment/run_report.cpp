#include "experiment/run_report.h"

#include "experiment/explicit_flows.h"
#include "experiment/report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace panama {

const SizeBucket kSizeBuckets[4] = {
    {100000, "<100KB"}, {1000000, "100KB-1MB"}, {10000000, "1MB-10MB"}, {UINT64_MAX, ">10MB"}};

namespace {

double json_number(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : std::nan(""); }

// Lines need one series per column: pivots a long-format time series (`in`: time, then key columns, then
// values) into a wide table `out` with one column per key. `keys` empty: every key found, in order of first
// appearance; else only those. Returns the keys (the wide table's columns after time_us).
template <class KeyOf>
std::vector<std::string> pivot(const std::string& dir, const std::string& in, const std::string& out, KeyOf key_of,
                               std::vector<std::string> keys, size_t value_col) {
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
  std::vector<std::string> columns{"time_us"};
  columns.insert(columns.end(), keys.begin(), keys.end());
  CsvTable t(columns);
  for (const auto& time : times) {
    t.text(time);
    const auto& row = rows[time];
    for (const auto& k : keys) {
      const auto it = row.find(k);
      t.text(it == row.end() ? "" : it->second);
    }
    t.end_row();
  }
  t.write(dir + "/" + out, out);
  return keys;
}

// A bar chart's settings and, after its plot command, the defaults back (lines, autoscaled y). Bars start at
// zero, so that their heights compare.
const char* const kBars = "set style data histograms\nset style fill solid 0.6\nset yrange [0:*]\n";
const char* const kBarsEnd = "set autoscale y\nset style data lines\n";

}  // namespace

std::string write_run_report(const std::string& dir, const RunRecords& r) {
  const nlohmann::json& s = r.summary;

  CsvTable flows({"id", "src", "dst", "bytes", "start_us", "fct_us", "ideal_us", "slowdown"});
  if (r.flows)
    for (const FlowResult& f : *r.flows)
      flows.integer(static_cast<long long>(f.rec.id))
          .integer(f.rec.src)
          .integer(f.rec.dst)
          .integer(static_cast<long long>(f.rec.bytes))
          .num(double(f.rec.start_ps) / 1e6)
          .num(double(f.rec.fct_ps()) / 1e6)
          .num(double(f.ideal_ps) / 1e6)
          .num(f.slowdown)
          .end_row();
  flows.write(dir + "/flows.csv", "flows.csv");
  if (r.explicit_flows) r.explicit_flows->write_csv(dir + "/explicit_flows.csv");

  CsvTable it({"job", "iteration", "iteration_ms", "allreduce_ms"});
  if (r.jobs)
    for (const auto& j : *r.jobs)
      for (size_t k = 0; k < j->iteration_ps().size(); ++k)
        it.integer(j->id())
            .integer(static_cast<long long>(k))
            .num(double(j->iteration_ps()[k]) / 1e9)
            .num(k < j->allreduce_ps().size() ? double(j->allreduce_ps()[k]) / 1e9 : 0.0)
            .end_row();
  it.write(dir + "/iterations.csv", "iterations.csv");

  // An unfinished job has no training time: an empty field (a gap among the bars), not the summary's -1;
  // so for times a job never reached.
  CsvTable jobs({"job", "protocol", "training_time_ms", "arrival_ms", "start_ms", "finish_ms", "queueing_ms"});
  for (const auto& j : s["jobs"]) {
    auto ms = [&](const char* k) {
      const double v = j.value(k, -1.0);
      if (v >= 0) jobs.num(v / 1e3);
      else jobs.blank();
    };
    jobs.integer(j["id"].get<long long>()).text(j["protocol"].get<std::string>());
    if (j["done"].get<bool>()) jobs.num(j["training_time_s"].get<double>() * 1e3);
    else jobs.blank();
    ms("arrival_us");
    ms("start_us");
    ms("finish_us");
    if (j.value("started", false)) ms("queueing_us");
    else jobs.blank();
    jobs.end_row();
  }
  jobs.write(dir + "/jobs.csv", "jobs.csv");

  CsvTable sizes({"bucket", "count", "slowdown_mean", "slowdown_p99"});
  if (s["flows"].contains("by_size"))
    for (const SizeBucket& b : kSizeBuckets) {
      const nlohmann::json& v = s["flows"]["by_size"][b.name];
      sizes.text(b.name).num(json_number(v["count"])).num(json_number(v["slowdown_mean"]))
          .num(json_number(v["slowdown_p99"])).end_row();
    }
  sizes.write(dir + "/slowdown_by_size.csv", "slowdown_by_size.csv");

  const bool groups = s["flows"].contains("groups");
  if (groups) {
    CsvTable fg({"group", "count", "mean_mbps", "min_mbps", "max_mbps", "jain"});
    for (const auto& [name, g] : s["flows"]["groups"].items())
      fg.text(name).num(json_number(g["count"])).num(json_number(g["mean_mbps"])).num(json_number(g["min_mbps"]))
          .num(json_number(g["max_mbps"])).num(json_number(g["jain"])).end_row();
    fg.write(dir + "/flow_groups.csv", "flow_groups.csv");
  }

  std::vector<std::string> ports;
  for (const auto& b : s["network"]["busiest_ports"])
    if (ports.size() < 4) ports.push_back(b["switch"].get<std::string>() + ":" + std::to_string(b["port"].get<int>()));
  if (!ports.empty())
    pivot(dir, "queues.csv", "queues_busiest.csv", [](const std::vector<std::string>& c) { return c[1] + ":" + c[2]; },
          ports, 3);
  const std::vector<std::string> tree_keys = pivot(
      dir, "windows.csv", "windows_wide.csv",
      [](const std::vector<std::string>& c) { return "job " + c[1] + " tree " + c[2]; }, {}, 3);

  // Each CSV's first line is its header, declared once here: gnuplot then neither plots it nor needs an
  // `every` clause (which would also skip the first data row once headers are on).
  std::ostringstream gp;
  gp << "# gnuplot script written by panama run; regenerate the PNGs with: gnuplot plots.gp\n"
     << "set datafile separator ','\nset datafile columnheaders\nset terminal pngcairo size 900,560\nset grid\n"
     << "set key outside autotitle columnhead\n";
  if (flows.rows()) {
    gp << "set output 'fct_cdf.png'\nset title 'Background flow completion times'\nset xlabel 'FCT (us)'\n"
       << "set ylabel 'CDF'\nset logscale x\nplot 'flows.csv' using 6:(1.0/" << flows.rows()
       << ") smooth cumulative with lines lw 2 title 'all flows'\nunset logscale x\n";
    gp << "set output 'slowdown_by_size.png'\nset title 'Slowdown by flow size'\n" << kBars
       << "set xlabel 'flow size'\nset ylabel 'slowdown (FCT / ideal)'\n"
       << "plot 'slowdown_by_size.csv' using 3:xtic(1) title 'mean', '' using 4 title 'p99'\n" << kBarsEnd;
  }
  gp << "set output 'queues.png'\nset title 'Egress queues of the busiest ports'\nset xlabel 'time (us)'\n"
     << "set ylabel 'queue (bytes)'\nplot";
  for (size_t i = 0; i < ports.size(); ++i) gp << (i ? "," : "") << " 'queues_busiest.csv' using 1:" << i + 2 << " with lines";
  if (ports.empty()) gp << " 0 notitle";
  gp << "\nset output 'windows.png'\nset title 'PANAMA windows (first worker of each job)'\nset ylabel 'cwnd (packets)'\nplot";
  for (size_t i = 0; i < tree_keys.size(); ++i)
    gp << (i ? "," : "") << " 'windows_wide.csv' using 1:" << i + 2 << " with lines title '" << tree_keys[i] << "'";
  if (tree_keys.empty()) gp << " 0 notitle";
  gp << "\n";
  // (A bar chart of no bars is an error in gnuplot: only with jobs, only with explicit flows.)
  if (jobs.rows())
    gp << "set output 'training_time.png'\nset title 'Training time per job'\n" << kBars
       << "set xlabel 'job'\nset ylabel 'training time (ms)'\n"
       << "plot 'jobs.csv' using 3:xtic('job '.strcol(1).' ('.strcol(2).')') title 'training time'\n" << kBarsEnd;
  if (groups)
    gp << "set output 'flow_groups.png'\nset title 'Explicit flows: goodput per flow over the measurement window'\n"
       << kBars << "set xlabel 'group'\nset ylabel 'Mbit/s'\n"
       << "plot 'flow_groups.csv' using 3:xtic(1) title 'mean', '' using 4 title 'min', '' using 5 title 'max'\n"
       << kBarsEnd;
  report_write(dir + "/plots.gp", gp.str(), "plots.gp");
  return report_render_gnuplot(dir, "plots.gp").status;
}

}  // namespace panama
