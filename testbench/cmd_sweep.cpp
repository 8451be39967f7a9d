// `panama sweep SWEEP.yaml`: a design-space sweep over a scenario (experiment/sweep.h, docs/sweep.md).
// Exit status: 0 all points have results, 1 some point failed or has no results, 2 bad sweep file.
#include "commands.h"
#include "experiment/report.h"
#include "experiment/sweep.h"

#include "common/config.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace panama::cli {

void add_sweep_command(CLI::App& app) {
  struct Opts {
    std::string file, out, collect, json;
    unsigned jobs = 1;
    long point = -1;
    bool emit_slurm = false, no_plots = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("sweep", "Run a parameter sweep over a scenario: one `panama run` per point, "
                                              "results.csv with area and metrics, Pareto plots");
  cmd->add_option("sweep", o->file, "sweep YAML file (sweep: {base, mode}, parameters)")->required();
  auto* out = cmd->add_option("--out", o->out, "output directory (default out/<sweep file name>)");
  cmd->add_option("-j,--jobs", o->jobs, "points run at once (default 1)")->check(CLI::Range(1u, 1024u));
  auto* point = cmd->add_option("--point", o->point, "run only point K (0-based; a Slurm array task)")
                    ->check(CLI::NonNegativeNumber);
  auto* slurm = cmd->add_flag("--emit-slurm", o->emit_slurm, "write OUT/sweep.slurm (a job array) and run nothing");
  auto* collect = cmd->add_option("--collect", o->collect, "merge the summaries in DIR into results.csv; run nothing");
  cmd->add_flag("--no-plots", o->no_plots, "do not call gnuplot (pareto.gp and pareto.dat are still written)");
  cmd->add_option("--json", o->json, "also write every point's parameters and summary as JSON (for scripts)");
  point->excludes(slurm)->excludes(collect);
  slurm->excludes(collect);
  collect->excludes(out);
  cmd->callback([o] {
    try {
      const SweepSpec spec = load_sweep(o->file);
      const std::string out = !o->collect.empty() ? o->collect
                              : !o->out.empty()   ? o->out
                                                  : "out/" + std::filesystem::path(o->file).stem().string();
      // Outputs, before anything is written: the folder of the points (or of the summaries to collect).
      if (!o->collect.empty() && !std::filesystem::is_directory(o->collect))
        throw ConfigError("--collect '" + o->collect + "': no such directory");
      config_check_output_dir(out, o->collect.empty() ? "--out" : "--collect");
      if (!o->json.empty()) config_check_output_file(o->json, "--json");
      std::cout << "sweep " << o->file << ": " << spec.points.size() << " points (" << spec.mode << ") over "
                << spec.base << "\n";
      if (o->emit_slurm) {
        const std::string path = emit_slurm(spec, out, self_executable());
        std::cout << "slurm: " << path << " (array 0-" << spec.points.size() - 1 << ")\n"
                  << "  submit: sbatch " << path << "\n"
                  << "  then:   panama sweep " << o->file << " --collect " << out << "\n";
        return;
      }
      if (o->point >= 0) {
        if (size_t(o->point) >= spec.points.size())
          throw ConfigError("--point " + std::to_string(o->point) + ": the sweep has points 0 to " +
                            std::to_string(spec.points.size() - 1));
        const SweepRunStats st = run_sweep(spec, out, self_executable(), 1, o->point);
        if (st.failed) set_exit_code(1);
        return;
      }
      if (o->collect.empty()) {
        const SweepRunStats st = run_sweep(spec, out, self_executable(), o->jobs);
        std::cout << "sweep: " << spec.points.size() << " points: " << st.run << " run, " << st.skipped << " skipped, "
                  << st.failed << " failed in " << st.wall_s << " s (-j " << o->jobs << ")\n";
      }
      if (collect_sweep(spec, out, !o->no_plots) != 0) set_exit_code(1);
      if (!o->json.empty()) {
        nlohmann::json points = nlohmann::json::array();
        for (const SweepPoint& p : spec.points) {
          nlohmann::json params = nlohmann::json::object();
          for (const auto& [k, v] : p.params) params[k] = v;
          const auto summary = report_read_json(point_dir(out, p) + "/summary.json");
          points.push_back({{"id", p.id}, {"params", params}, {"summary", summary ? *summary : nlohmann::json()}});
        }
        report_write_json(o->json,
                          nlohmann::json{{"sweep", o->file}, {"base", spec.base}, {"mode", spec.mode},
                                         {"results_csv", out + "/results.csv"}, {"points", points}},
                          "--json file");
      }
    } catch (const ConfigError& e) {
      std::cerr << "panama sweep: " << e.what() << "\n";
      set_exit_code(2);
    } catch (const std::exception& e) {
      std::cerr << "panama sweep: " << e.what() << "\n";
      set_exit_code(1);
    }
  });
}

}  // namespace panama::cli
