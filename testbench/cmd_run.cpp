// `panama run SCENARIO.yaml`: a shared-cluster run (experiment/scenario.h); writes DIR/summary.json.
#include "commands.h"
#include "experiment/report.h"
#include "experiment/scenario.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace panama::cli {
namespace {

// A figure for the console: three significant digits, never in exponent form (18.0 us, 2.33 ms, 4600 us);
// summary.json keeps full precision.
std::string figure(double x) {
  const int whole_digits = x == 0 ? 1 : int(std::floor(std::log10(std::fabs(x)))) + 1;
  std::ostringstream os;
  os << std::fixed << std::setprecision(std::max(0, 3 - whole_digits)) << x;
  return os.str();
}

}  // namespace

void add_run_command(CLI::App& app) {
  struct Opts {
    std::string file, out = "out", json, vcd;
    std::vector<std::string> sets;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("run", "Run a shared-cluster scenario (jobs, PANAMA, background flows)");
  cmd->add_option("scenario", o->file, "scenario YAML file")->required();
  cmd->add_option("--set", o->sets, "override a key: --set scenario.seed=2")->take_all()->allow_extra_args(false);
  cmd->add_option("--out", o->out, "output directory (summary.json)");
  cmd->add_option("--json", o->json, "also write the summary to this file");
  cmd->add_option("--vcd", o->vcd, "VCD of one PSwitch's accelerator (scenario.vcd_switch, window scenario.vcd_from_us/to_us)");
  cmd->callback([o] {
    try {
      std::vector<std::string> sets = o->sets;
      if (!o->vcd.empty()) sets.insert(sets.begin(), "scenario.vcd=" + o->vcd);  // an explicit --set still wins
      const ScenarioConfig cfg = load_scenario(o->file, sets);
      // Every output before the output directory is made: a refused run creates nothing.
      config_check_output_dir(o->out, "--out");
      if (!o->json.empty()) config_check_output_file(o->json, "--json", o->out);
      if (!cfg.vcd.empty()) vcd_check_output(cfg.vcd, "scenario.vcd", o->out);
      std::filesystem::create_directories(o->out);
      const nlohmann::json s = run_scenario(cfg, o->out, isatty(2) != 0);
      report_write_json(o->out + "/summary.json", s, "summary");
      if (!o->json.empty()) report_write_json(o->json, s, "--json file");
      std::cout << "scenario " << cfg.name << ": " << figure(s["scenario"]["simulated_us"].get<double>())
                << " us simulated in " << figure(s["host"]["wall_s"].get<double>()) << " s\n";
      for (const auto& j : s["jobs"])
        std::cout << "  job " << j["id"] << " (" << j["protocol"].get<std::string>()
                  << (!j["started"].get<bool>()   ? ""
                      : j["aggregated"].get<bool>() ? ", in-network"
                                                    : ", host baseline")
                  << "): "
                  << (j["done"].get<bool>()      ? figure(j["training_time_s"].get<double>() * 1e3) + " ms"
                      : j["started"].get<bool>() ? std::string("not finished")
                                                 : std::string("not started"))
                  << ", " << j["iterations_done"] << " iterations, all-reduce " << figure(j["allreduce_gbps"].get<double>())
                  << " Gbps\n";
      const auto& f = s["flows"];
      std::cout << "  background flows: " << f["completed"] << " of " << f["generated"] << " completed; short (<100 KB) FCT mean "
                << figure(f["short_fct_mean_us"].get<double>()) << " us, p99 " << figure(f["short_fct_p99_us"].get<double>())
                << " us\n"
                << "  drops: " << s["drops_total"] << " (lossless " << s["drops_lossless"] << "); accelerator slot stalls "
                << s["accelerators"]["slot_stalls"] << "\n"
                << "  summary: " << o->out << "/summary.json (CSV time series, plots: " << s["host"]["plots"].get<std::string>()
                << ")\n";
    } catch (const ConfigError& e) {
      std::cerr << "panama run: " << e.what() << "\n";
      set_exit_code(2);
    }
  });
}

}  // namespace panama::cli
