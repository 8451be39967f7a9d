// `panama cosim`: co-simulate the TLM accelerator against the Verilated RTL aggregation datapath
// (docs/cosim.md). Only available when the build found Verilator (PANAMA_HAVE_COSIM).
#include "commands.h"
#include "experiment/report.h"
#include "common/config.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#ifdef PANAMA_HAVE_COSIM
#include "cosim/cosim.h"
#include "cosim/rtl_registry.h"
#endif

namespace panama::cli {

namespace {
struct CosimOptions {
  std::string rtl_top = "agg_top";
  uint64_t packets = 4000;
  uint32_t children = 4;
  uint64_t seed = 0x50414E414D41ull;
  std::string vcd, json;
  bool broken = false;
};
}  // namespace

void add_cosim_command(CLI::App& app) {
  auto opt = std::make_shared<CosimOptions>();
  CLI::App* cmd = app.add_subcommand("cosim", "Co-simulate the TLM accelerator against the Verilated RTL datapath");
  cmd->add_option("--rtl-top", opt->rtl_top, "Verilated RTL top to compare against (default agg_top)");
  cmd->add_option("--packets", opt->packets, "contributions to drive (default 4000)")->check(CLI::Range(1ull, 100000000ull));
  cmd->add_option("--children", opt->children, "contributing children per slot, 2..8 (default 4)")
      ->check(CLI::Range(2u, 8u));
  cmd->add_option("--seed", opt->seed, "random seed of the stimulus");
  cmd->add_option("--vcd", opt->vcd, "write a VCD window of both models around the first mismatch");
  cmd->add_option("--json", opt->json, "write the figures as JSON to this file");
  cmd->add_flag("--broken", opt->broken, "use the BROKEN_TRUNCATE build of the RTL top (<top>_broken)");
  cmd->callback([opt] {
#ifndef PANAMA_HAVE_COSIM
    (void)opt;
    std::cerr << "panama cosim: unavailable: this build has no Verilator (RTL co-simulation was not built)\n";
    set_exit_code(2);
#else
    cosim::CosimConfig cfg;
    cfg.rtl_top = opt->broken ? opt->rtl_top + "_broken" : opt->rtl_top;
    cfg.packets = opt->packets;
    cfg.children = opt->children;
    cfg.seed = opt->seed;
    cfg.vcd = opt->vcd;
    if (!cosim::find_rtl_variant(cfg.rtl_top)) {
      std::cerr << "panama cosim: no RTL top '" << cfg.rtl_top << "' in this build; built:";
      for (const auto& v : cosim::rtl_variants()) std::cerr << " " << v.name;
      std::cerr << "\n";
      set_exit_code(2);
      return;
    }
    try {
      if (!opt->json.empty()) config_check_output_file(opt->json, "--json");
      const nlohmann::json j = cosim::cosim(cfg);
      std::cout << cosim::cosim_report(j);
      if (!opt->json.empty()) report_write_json(opt->json, j, "--json file");
      const bool ok = j["mismatches"].get<uint64_t>() == 0 && j["slots_missing"].get<uint64_t>() == 0 &&
                      j["cycle_violations"].get<uint64_t>() == 0 && j["errors"].empty();
      if (!ok) set_exit_code(1);
    } catch (const std::exception& e) {
      std::cerr << "panama cosim: " << e.what() << "\n";
      set_exit_code(2);
    }
#endif
  });
}

}  // namespace panama::cli
