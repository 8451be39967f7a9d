// `panama validate`: the physics validation suite (harness/validate.h) as a table, exit 1 on a failure.
#include "commands.h"
#include "experiment/report.h"
#include "common/config.h"
#include "harness/validate.h"

#include <iostream>
#include <memory>

namespace panama::cli {

void add_validate_command(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  auto json_path = std::make_shared<std::string>();
  CLI::App* v = app.add_subcommand("validate", "Check the model against analytic bounds (line-rate trees, ring, "
                                               "sharing with DCTCP, datapath bound, lossless stress)");
  v->add_option("--json", *json_path, "also write the results as JSON");
  v->add_option("--only", o->only, "run only the cases whose group or name contains this text");
  v->add_option("--flows-cdf", o->flows_cdf, "web-search flow-size CDF of the lossless stress case")
      ->check(CLI::ExistingFile);
  v->callback([o, json_path] {
    if (!json_path->empty()) config_check_output_file(*json_path, "--json");  // before the runs (ConfigError: exit 2)
    const auto results = run_validation(*o);
    std::cout << format_table(results);
    size_t failed = 0;
    for (const auto& r : results) failed += r.pass() ? 0 : 1;
    std::cout << results.size() - failed << " passed, " << failed << " failed\n";
    if (!json_path->empty()) report_write_json(*json_path, to_json(results), "--json file");
    if (failed) set_exit_code(1);
  });
}

}  // namespace panama::cli
