// `panama`: the command line of PANAMA-TLM. Each subcommand is one experiment driver in testbench/.
#include "commands.h"

#include <CLI/CLI.hpp>

#include <systemc>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

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
  panama::cli::add_validate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return panama::cli::exit_code();
}

// A large fabric keeps ~200 MB of model state. The packet pool maps its arenas on transparent huge pages
// itself, but ports, queues, event records and flows come from malloc, on 4 KiB pages, where nearly
// every one a hop touches is also a TLB miss: at k = 16 that was ~20 % of the run time (docs/network.md
// 6.3). glibc (2.35 and later) backs malloc's memory with huge pages when the tunable
// glibc.malloc.hugetlb=1 is set, and reads tunables only at start-up, so the process re-executes itself
// once with it added. PANAMA_SMALL_PAGES=1 (or a GLIBC_TUNABLES already naming the tunable) keeps it off.
static void reexec_with_huge_pages(char** argv) {
  const char* t = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("PANAMA_SMALL_PAGES") || (t && std::strstr(t, "glibc.malloc.hugetlb"))) return;
  const std::string tunables = t && *t ? std::string(t) + ":glibc.malloc.hugetlb=1" : "glibc.malloc.hugetlb=1";
  setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  execv("/proc/self/exe", argv);
  if (t) setenv("GLIBC_TUNABLES", t, 1);  // no exec (no /proc): run on as we are
  else unsetenv("GLIBC_TUNABLES");
}

// Our own entry point replaces libsystemc's main() so that the kernel's banner stays off stdout.
int main(int argc, char** argv) {
  reexec_with_huge_pages(argv);
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
