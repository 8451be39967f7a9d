// `panama bench fabric`: fabric simulation speed (packet-hops and events per wall-second, memory).
#include "commands.h"
#include "experiment/report.h"
#include "common/config.h"
#include "harness/fabric_bench.h"
#include "harness/isolated.h"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

namespace panama::cli {

void add_bench_command(CLI::App& app) {
  struct Opts {
    std::string json;
    bool quick = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* bench = app.add_subcommand("bench", "Simulation-speed benchmarks");
  bench->require_subcommand(1);
  CLI::App* fab = bench->add_subcommand(
      "fabric", "k=8 fat-tree (128 hosts, 100 Gbps) for 10 ms and k=16 (1024 hosts) for 1 ms of DCTCP permutation traffic");
  fab->add_option("--json", o->json, "write the figures as a JSON list");
  fab->add_flag("--quick", o->quick, "shorter runs (k=8 for 1 ms, k=16 for 0.1 ms)");
  fab->callback([o] {
    if (!o->json.empty()) config_check_output_file(o->json, "--json");
    std::vector<FabricBenchPoint> points = {{8, o->quick ? 1.0 : 10.0, 100.0, 1}, {16, o->quick ? 0.1 : 1.0, 100.0, 1}};
    nlohmann::json all = nlohmann::json::array();
    std::cout << "build: " << PANAMA_BUILD_FLAVOUR
              << (std::string(PANAMA_BUILD_FLAVOUR).find("PGO") == std::string::npos
                      ? " (scripts/bench.sh builds with profile-guided optimisation: faster)\n"
                      : "\n");
    std::cout << std::left << std::setw(7) << "hosts" << std::setw(10) << "sim ms" << std::setw(14) << "packet-hops"
              << std::setw(16) << "hops/wall-s" << std::setw(14) << "events/s" << std::setw(10) << "wall s"
              << std::setw(10) << "build s" << "peak RSS MB\n";
    for (const auto& p : points) {
      nlohmann::json j = run_isolated([&] { return run_fabric_bench(p); });  // one elaboration per process
      all.push_back(j);
      std::cout << std::setw(7) << j["hosts"].get<uint32_t>() << std::setw(10) << j["sim_ms"].get<double>()
                << std::setw(14) << j["packet_hops"].get<uint64_t>() << std::setw(16) << std::fixed
                << std::setprecision(0) << j["packet_hops_per_s"].get<double>() << std::setw(14)
                << j["events_per_s"].get<double>() << std::setw(10) << std::setprecision(2) << j["wall_s"].get<double>()
                << std::setw(10) << j["build_s"].get<double>() << std::setprecision(0) << j["peak_rss_mb"].get<double>()
                << "\n" << std::defaultfloat;
    }
    if (!o->json.empty()) report_write_json(o->json, all, "--json file");
  });
}

}  // namespace panama::cli
