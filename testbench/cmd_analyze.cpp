// `panama analyze speedup`: the paper's Fig. 1 bound (harness/speedup.h) for chosen models and links.
#include "commands.h"
#include "common/config.h"
#include "harness/speedup.h"
#include "workload/model_table.h"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
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
    if (!o->json.empty()) config_write_file(o->json, all.dump(2) + "\n", "--json file");
  });
}

}  // namespace panama::cli
