// `panama`: the command line of PANAMA-TLM. Each subcommand is one experiment driver in testbench/.
#include "commands.h"

#include <CLI/CLI.hpp>

#include <systemc>

#include <cstdlib>

#include <iostream>

int sc_main(int argc, char** argv) {
  CLI::App app{"PANAMA-TLM: SystemC/TLM-2.0 model of PANAMA in-network gradient aggregation"};
  app.require_subcommand(1);
  panama::cli::add_accel_command(app);
  panama::cli::add_config_command(app);
  panama::cli::add_topo_command(app);
  panama::cli::add_bench_command(app);
  panama::cli::add_analyze_command(app);
  panama::cli::add_run_command(app);
  panama::cli::add_sweep_command(app);
  panama::cli::add_cosim_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return panama::cli::exit_code();
}

// Our own entry point replaces libsystemc's main() so that the kernel's banner stays off stdout.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
