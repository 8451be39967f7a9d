// Design-space sweeps (`panama sweep SWEEP.yaml`): a sweep file names a base scenario and the parameters
// to vary; every point is one `panama run` in its own process (SystemC elaborates once per process),
// results are merged into one CSV with the accelerator's area next to the run's metrics, and the
// Pareto-optimal points (least area for the most aggregation throughput / the lowest short-flow p99)
// are marked and plotted. docs/sweep.md describes the file format and the outputs.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace panama {

// One point of a sweep: the overrides applied to the base scenario.
struct SweepPoint {
  size_t index = 0;   // position in the sweep (product order or list order); Slurm array task id
  std::string id;     // stable name of the parameter set: 16 hex digits of FNV-1a over "key=value\n" sorted
  std::vector<std::pair<std::string, std::string>> params;  // in the sweep file's key order

  std::vector<std::string> overrides() const;  // "key=value" for `panama run --set`
  std::string label() const;                   // "k1=v1 k2=v2" for progress messages
};

struct SweepSpec {
  std::string file;               // the sweep file, as given
  std::string base;               // the base scenario: absolute, resolved against the sweep file's folder
  std::string mode;               // product | list
  std::vector<std::string> keys;  // every parameter key, in first-appearance order (CSV columns)
  std::vector<SweepPoint> points;
};

// Parses the sweep file and validates every point against the scenario registry (unknown keys, bad
// values, cross-field checks) before anything runs. Errors are ConfigError naming the file, the line
// and the key.
SweepSpec load_sweep(const std::string& path);

// Point id of a parameter set (order-independent).
std::string sweep_point_id(const std::vector<std::pair<std::string, std::string>>& params);

// Folder of one point's run: OUT/points/<id> (summary.json, point.json, run.log).
std::string point_dir(const std::string& out, const SweepPoint& p);
// A point is done when its summary.json exists and parses as a JSON object.
bool point_done(const std::string& out, const SweepPoint& p);

struct SweepRunStats {
  size_t run = 0, skipped = 0, failed = 0;
  double wall_s = 0;
};

// Runs every point not yet done, `jobs` at a time, each as `EXE run BASE --set ... --out OUT/points/<id>`.
// `only` >= 0 runs just that point (Slurm array task). Progress goes to stdout.
SweepRunStats run_sweep(const SweepSpec& spec, const std::string& out, const std::string& exe, unsigned jobs,
                        long only = -1);

// One CSV row per point, in sweep order, with the area of the point's accelerator and the metrics of
// its summary (empty when the point has not run). Writes OUT/results.csv and the Pareto data/script,
// renders the plots when gnuplot is installed, and says on stdout what it wrote or skipped.
// Returns the number of points without a summary.
size_t collect_sweep(const SweepSpec& spec, const std::string& out, bool plots = true);

// Writes OUT/sweep.slurm: a job array with one task per point, each `EXE sweep FILE --point K --out OUT`.
std::string emit_slurm(const SweepSpec& spec, const std::string& out, const std::string& exe);

// Pareto front over (cost, value) pairs: cost is minimised; value is maximised when `maximize` is true,
// else minimised. Entry i is true when no other pair is at least as good in both and better in one.
// NaN pairs are never on the front and dominate nothing.
std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& cost_value, bool maximize);

// The executable of this process (/proc/self/exe resolved), for spawning `run` children.
std::string self_executable();

}  // namespace panama
