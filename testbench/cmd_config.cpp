// `panama config [SUBCOMMAND]`: the configuration keys one subcommand accepts (in its YAML files and
// with --set), each with its default, meaning and range. One catalogue per subcommand, built from the
// same register_params() calls the subcommand itself makes, so the list cannot drift from what is read.
#include "accelerator/accelerator_config.h"
#include "commands.h"
#include "common/config.h"
#include "experiment/accel_bench.h"
#include "experiment/scenario.h"
#include "network/topology.h"

#include <iostream>
#include <memory>
#include <string>

namespace panama::cli {

namespace {

// The registry of `sub`'s keys. The configuration objects live as long as the registry needs them.
std::string describe_keys(const std::string& sub) {
  ConfigRegistry reg;
  if (sub == "run" || sub == "sweep") {
    ScenarioConfig s;  // sweep parameters are run keys (docs/sweep.md)
    s.register_params(reg);
    return reg.describe();
  }
  if (sub == "accel") {
    AcceleratorConfig acc;
    AccelBenchConfig bench;
    acc.register_params(reg);
    bench.register_params(reg);
    return reg.describe();
  }
  TopologyConfig topo;  // "topo"
  topo.register_params(reg);
  return reg.describe();
}

}  // namespace

void add_config_command(CLI::App& app) {
  auto sub = std::make_shared<std::string>("run");
  CLI::App* cmd = app.add_subcommand(
      "config", "Print the configuration keys a subcommand accepts (YAML and --set), with defaults and meanings");
  cmd->add_option("subcommand", *sub,
                  "run (default; scenario files), sweep (its parameters: the run keys), accel (accelerator.*, "
                  "accel_bench.*) or topo (topology.*)")
      ->check(CLI::IsMember({"run", "sweep", "accel", "topo"}));
  cmd->callback([sub] { std::cout << describe_keys(*sub); });
}

}  // namespace panama::cli
