// `panama`: the command line of PANAMA-TLM. Each subcommand is one experiment driver in testbench/.
#include "commands.h"
#include "common/config.h"

#include <CLI/CLI.hpp>

#include <systemc>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {
// A first word that is no subcommand of `app` (nor an option): named, with the subcommands there are.
// (CLI11 would report "A subcommand is required", which does not say what was wrong.)
void check_subcommand_names(const CLI::App& app, int argc, char** argv) {
  const CLI::App* at = &app;
  for (int i = 1; i < argc && argv[i][0] != '-'; ++i) {
    const auto subs = at->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return;
    const CLI::App* next = nullptr;
    std::string names;
    for (const CLI::App* s : subs) {
      if (s->get_name() == argv[i]) next = s;
      names += (names.empty() ? "" : ", ") + s->get_name();
    }
    if (!next)
      throw CLI::ValidationError("unknown subcommand '" + std::string(argv[i]) + "'" +
                                 (at == &app ? "" : " of '" + at->get_name() + "'") + " (expected one of: " + names + ")");
    at = next;
  }
}
}  // namespace

// Exit status (README): 0 ok, 1 a run's results failed a check, 2 refused input (a bad command line,
// configuration, file or output path, named on standard error), 3 an internal error (a bug to report).
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
  // Every exception ends here, with a message on standard error: none reaches SystemC (which would print
  // its E549 report on standard output and exit 1).
  try {
    check_subcommand_names(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the help, or the error and "Run with --help"
    return code == 0 ? 0 : 2;
  } catch (const panama::ConfigError& e) {
    std::cerr << "panama: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "panama: out of memory (docs/input-limits.md lists the limits that should have refused this input: "
                 "please report it)\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "panama: internal error: " << e.what() << " (please report it)\n";
    return 3;
  } catch (...) {
    std::cerr << "panama: internal error: an unknown exception (please report it)\n";
    return 3;
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
