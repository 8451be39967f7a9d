// `panama analyze speedup`: the paper's Fig. 1 bound (harness/speedup.h) for chosen models and links.
#include "commands.h"
#include "experiment/report.h"
#include "common/config.h"
#include "experiment/seed_stats.h"
#include "harness/speedup.h"
#include "workload/model_table.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace panama::cli {

void add_analyze_command(CLI::App& app) {
  struct Opts {
    std::vector<std::string> models;
    std::vector<std::string> gbps{"10", "40", "100"};  // typed by config_number in the callback
    uint32_t workers = 8;
    std::string compute_scale = "1";
    std::string json;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* an = app.add_subcommand("analyze", "Analytic models");
  an->require_subcommand(1);
  CLI::App* sp = an->add_subcommand("speedup", "Communication share and best-case in-network aggregation speedup (paper Fig. 1)");
  sp->add_option("--models", o->models, "models from the table (default: all)")->delimiter(',');
  sp->add_option("--gbps", o->gbps, "link speeds, Gbps")->delimiter(',');
  sp->add_option("--workers", o->workers, "data-parallel workers")->check(CLI::Range(2u, 1u << 20));
  sp->add_option("--compute-scale", o->compute_scale,
                 "multiply the table's per-GPU compute times (e.g. for a slower GPU), 0.001..1000");
  sp->add_option("--json", o->json, "write the points as a JSON list");
  sp->callback([o] {
    std::vector<std::string> models = o->models;
    if (models.empty())
      for (const auto& m : model_table()) models.push_back(m.name);
    std::vector<double> gbps;
    double compute_scale = 0;
    try {
      // Link rates in the range of the topology's (topology.host_gbps).
      for (const auto& g : o->gbps) gbps.push_back(config_number("--gbps", g, "command line", 0.001, 1600.0));
      compute_scale = config_number("--compute-scale", o->compute_scale, "command line", 0.001, 1000.0);
      for (const auto& m : models) find_model(m);
      if (!o->json.empty()) config_check_output_file(o->json, "--json");
    } catch (const std::exception& e) {  // ConfigError, or find_model's invalid_argument
      std::cerr << "panama analyze speedup: " << e.what() << "\n";
      set_exit_code(2);
      return;
    }
    nlohmann::json all = nlohmann::json::array();
    std::cout << std::left << std::setw(15) << "model" << std::setw(11) << "grad MB" << std::setw(12) << "compute ms"
              << std::setw(7) << "Gbps" << std::setw(10) << "ring ms" << std::setw(10) << "INA ms" << std::setw(12)
              << "comm share" << "speedup\n";
    for (const auto& m : models)
      for (double g : gbps) {
        const SpeedupPoint p = speedup_bound(m, g, o->workers, compute_scale);
        all.push_back(to_json(p));
        std::cout << std::fixed << std::setprecision(1) << std::setw(15) << p.model << std::setw(11) << p.gradient_mb
                  << std::setw(12) << p.compute_ms << std::setw(7) << std::setprecision(0) << p.gbps
                  << std::setprecision(2) << std::setw(10) << p.ring_ms << std::setw(10) << p.ina_ms << std::setw(12)
                  << p.comm_share << std::setprecision(3) << p.speedup << "x\n";
      }
    if (!o->json.empty()) report_write_json(o->json, all, "--json file");
  });

  struct CompareOpts {
    std::string a, b, json;
    std::vector<std::string> select_a, select_b;
  };
  auto c = std::make_shared<CompareOpts>();
  CLI::App* cmp = an->add_subcommand(
      "compare", "Ratios A / B of two configurations' figures over the seeds they share, with 95 % intervals");
  cmp->add_option("DIR_A", c->a, "runs of configuration A (a run's --out folder, or a sweep folder)")->required();
  cmp->add_option("DIR_B", c->b, "runs of configuration B")->required();
  cmp->add_option("--select-a", c->select_a, "only A's runs whose summary has PATH=VALUE (e.g. scenario.protocol=ring)");
  cmp->add_option("--select-b", c->select_b, "only B's runs whose summary has PATH=VALUE");
  cmp->add_option("--json", c->json, "write the comparison as JSON");
  cmp->callback([c] {
    nlohmann::json r;
    try {
      auto pairs = [](const std::vector<std::string>& v, const char* opt) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& x : v) {
          const size_t eq = x.find('=');
          if (eq == std::string::npos || eq == 0)
            throw ConfigError(std::string(opt) + " '" + x + "': expected PATH=VALUE");
          out.emplace_back(x.substr(0, eq), x.substr(eq + 1));
        }
        return out;
      };
      const auto a = load_summaries(c->a, pairs(c->select_a, "--select-a"));
      const auto b = load_summaries(c->b, pairs(c->select_b, "--select-b"));
      if (a.empty()) throw ConfigError("no run summary (summary.json) in '" + c->a + "' matches");
      if (b.empty()) throw ConfigError("no run summary (summary.json) in '" + c->b + "' matches");
      if (!c->json.empty()) config_check_output_file(c->json, "--json");
      r = compare_runs(a, b);
    } catch (const ConfigError& e) {
      std::cerr << "panama analyze compare: " << e.what() << "\n";
      set_exit_code(2);
      return;
    }
    std::cout << "A: " << c->a << "\nB: " << c->b << "\nseeds in common: " << r["seeds"].size() << "\n"
              << std::left << std::setw(24) << "figure" << std::right << std::setw(13) << "A (mean)" << std::setw(13)
              << "B (mean)" << std::setw(10) << "A / B" << std::setw(12) << "95 % CI" << std::setw(6) << "n" << "\n";
    auto f = [](const nlohmann::json& x, int prec) {
      if (x.is_null()) return std::string("-");
      std::ostringstream os;
      os << std::fixed << std::setprecision(prec) << x.get<double>();
      return os.str();
    };
    for (const auto& x : r["figures"]) {
      // Four significant digits of the larger mean (training times are in seconds, FCTs in us).
      const double a = std::max(x["a_mean"].is_null() ? 0 : std::abs(x["a_mean"].get<double>()),
                                x["b_mean"].is_null() ? 0 : std::abs(x["b_mean"].get<double>()));
      const int prec = a == 0 ? 2 : std::clamp(3 - int(std::floor(std::log10(a))), 0, 9);
      std::cout << std::left << std::setw(24) << x["figure"].get<std::string>() << std::right << std::setw(13)
                << f(x["a_mean"], prec) << std::setw(13) << f(x["b_mean"], prec) << std::setw(10) << f(x["ratio"], 3)
                << std::setw(12) << (x["ratio_ci95"].is_null() ? std::string("-") : "+-" + f(x["ratio_ci95"], 3))
                << std::setw(6) << x["n"].get<size_t>() << "\n";
    }
    if (!c->json.empty()) report_write_json(c->json, r, "--json file");
  });
}

}  // namespace panama::cli
