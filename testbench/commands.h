// Subcommands of the `panama` CLI.
#pragma once

#include <CLI/CLI.hpp>

namespace panama::cli {

void add_accel_command(CLI::App& app);
void add_config_command(CLI::App& app);
void add_topo_command(CLI::App& app);
void add_bench_command(CLI::App& app);
int exit_code();
void set_exit_code(int code);

}  // namespace panama::cli
