// `panama accel`: drive one accelerator with N synthetic child ports and print its figures.
#include "accelerator/accelerator_config.h"
#include "commands.h"
#include "experiment/report.h"
#include "common/config.h"
#include "control/controller.h"
#include "experiment/accel_bench.h"
#include "network/topology.h"
#include "transport/dctcp.h"
#include "transport/panama_worker.h"
#include "transport/ring_allreduce.h"
#include "workload/flow_generator.h"
#include "workload/ml_job.h"

#include <systemc>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <tuple>

namespace panama::cli {

namespace {
int g_exit = 0;

struct AccelOptions {
  std::string config_file;
  std::vector<std::string> sets;
  std::string vcd, json;
  // Shorthand flags, as given: the registry types and range-checks them like --set (a flag left out is empty).
  std::string children, slots, jobs, load;
  bool list = false;
};

void print_report(const nlohmann::json& j) {
  auto f = [](double v, int prec = 2) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(prec) << v;
    return os.str();
  };
  std::cout << "PANAMA accelerator bench\n"
            << "  aggregation throughput : " << f(j["throughput_gbps"]) << " Gbps (analytic "
            << f(j["analytic_gbps"]) << "; offered " << f(j["offered_gbps"]) << ", datapath "
            << f(j["datapath_gbps"]) << ")\n"
            << "  latency mean / p99     : " << f(j["latency_cycles_mean"], 1) << " / "
            << f(j["latency_cycles_p99"], 0) << " cycles = " << f(j["latency_ns_mean"], 1) << " / "
            << f(j["latency_ns_p99"], 1) << " ns (pipeline depth " << j["pipeline_depth_cycles"] << " cycles)\n"
            << "  SRAM peak occupancy    : " << j["sram_peak_bytes"] << " bytes (" << j["sram_peak_slots"] << " of "
            << j["sram_total_slots"] << " slots of " << j["slot_bytes"] << " B)\n"
            << "  stall cycles           : " << j["stall_cycles"] << " (slot stalls " << j["slot_stalls"]
            << ", port backpressure " << j["backpressure_cycles"] << " cycles in " << j["backpressure_events"]
            << " events)\n"
            << "  results                : " << j["results_received"] << " of " << j["results_expected"]
            << " received, " << j["result_mismatches"] << " mismatches; drops " << j["drops"].dump() << "\n"
            << "  area estimate          : " << f(j["area_mm2"], 3) << " mm^2 at " << j["area"]["process_nm"]
            << " nm; FPGA " << j["fpga"]["lut"] << " LUT, " << j["fpga"]["ff"] << " FF, " << j["fpga"]["bram36"]
            << " BRAM36, " << j["fpga"]["dsp"] << " DSP\n"
            << "  simulation speed       : " << f(j["sim_packets_per_s"], 0) << " aggregation packets per wall-second ("
            << j["contributions"] << " packets, " << f(j["sim_time_us"], 1) << " us simulated in "
            << f(j["wall_s"], 3) << " s)\n";
}
}  // namespace

int exit_code() { return g_exit; }
void set_exit_code(int code) { g_exit = code; }

void add_accel_command(CLI::App& app) {
  auto opt = std::make_shared<AccelOptions>();
  CLI::App* cmd = app.add_subcommand("accel", "Drive one accelerator with N synthetic child ports");
  cmd->add_option("--config", opt->config_file, "YAML configuration file (accelerator.*, accel_bench.*)");
  cmd->add_option("--set", opt->sets, "override a configuration key: --set accelerator.clock_mhz=200")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_option("--vcd", opt->vcd, "write a VCD waveform of the accelerator (window: accel_bench.vcd_from_us/to_us)");
  cmd->add_option("--json", opt->json, "write the figures as JSON to this file");
  cmd->add_option("--children", opt->children, "child ports (accel_bench.children)");
  cmd->add_option("--load", opt->load, "offered load per port, 0..1 (accel_bench.load)");
  cmd->add_option("--slots", opt->slots, "slots per job (accel_bench.slots)");
  cmd->add_option("--jobs", opt->jobs, "jobs sharing the accelerator (accel_bench.jobs)");
  cmd->add_flag("--list-keys", opt->list, "print every configuration key with its default and exit");
  cmd->callback([opt, cmd] {
    AcceleratorConfig acc;
    AccelBenchConfig bench;
    ConfigRegistry reg;
    acc.register_params(reg);
    bench.register_params(reg);
    try {
      if (opt->list) {
        std::cout << reg.describe();
        return;
      }
      if (!opt->config_file.empty()) reg.load_file(opt->config_file);
      // Shorthand flags first, so that an explicit --set always has the last word.
      for (const auto& [flag, key, value] : {std::tuple{"--children", "accel_bench.children", &opt->children},
                                             {"--load", "accel_bench.load", &opt->load},
                                             {"--slots", "accel_bench.slots", &opt->slots},
                                             {"--jobs", "accel_bench.jobs", &opt->jobs}})
        if (cmd->count(flag)) reg.set(key, *value, flag);
      if (!opt->vcd.empty()) reg.set("accel_bench.vcd", opt->vcd, "--vcd");
      for (const auto& s : opt->sets) reg.apply_override(s);
      acc.validate();
      if (!bench.vcd.empty()) vcd_check_output(bench.vcd, "accel_bench.vcd");
      if (!opt->json.empty()) config_check_output_file(opt->json, "--json");
      nlohmann::json j = run_accel_bench(acc, bench);
      j["config"] = reg.values();
      print_report(j);
      if (!opt->json.empty()) report_write_json(opt->json, j, "--json file");
      if (j["result_mismatches"].get<uint64_t>() || j["results_received"] != j["results_expected"]) set_exit_code(1);
    } catch (const ConfigError& e) {
      std::cerr << "panama accel: " << e.what() << "\n";
      set_exit_code(2);
    }
  });
}

}  // namespace panama::cli
