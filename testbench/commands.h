// Subcommands of the `panama` CLI.
#pragma once

#include <CLI/CLI.hpp>

namespace panama::cli {

void add_accel_command(CLI::App& app);
void add_config_command(CLI::App& app);
void add_topo_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_analyze_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_cosim_command(CLI::App& app);
void add_validate_command(CLI::App& app);  // cmd_validate.cpp  // cmd_cosim.cpp; exits 2 when built without Verilator
int exit_code();
void set_exit_code(int code);

}  // namespace panama::cli
