// Experiments with confidence: figures of runs that differ only in scenario.seed, as a mean with a 95 %
// confidence interval (Student t), for `panama sweep` (seed_intervals.csv) and `panama analyze compare`
// (ratios of two configurations, paired by seed).
#pragma once

#include "experiment/sweep.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace panama {

// t_{0.975, df}: the two-sided 95 % quantile of Student's t with df degrees of freedom (df >= 1), from
// the standard table (df 1..30 exact to 3 decimals; 40, 60, 120 and infinity, 1.960, interpolated
// linearly in 1 / df between them).
double student_t95(size_t df);

struct Interval {
  size_t n = 0;
  double mean = 0, half = 0;  // mean +- half is the 95 % interval: half = t_{0.975, n-1} s / sqrt(n)
  double min = 0, max = 0;    // (half is NaN for n < 2)
};
Interval mean_ci95(const std::vector<double>& x);

// The numeric figures of a run summary, by path ("flows.short_fct_p99_us", "jobs.0.training_time_s"):
// every number and boolean (as 0/1) except the wall-clock part (`host`), the jobs' `detail` and `hosts`,
// and the fabric's `busiest_ports` list (which ports those are changes with the seed).
std::map<std::string, double> summary_figures(const nlohmann::json& summary);

// For a sweep with `scenario.seed` among its parameters: the points that differ only in the seed form a
// group; writes OUT/seed_intervals.csv, one line per group and figure (group, figure, n, mean, ci95,
// min, max; ci95 empty for a group of one run), and prints how many groups and seeds. Returns the
// number of groups (0 and nothing written without a seed parameter).
size_t write_seed_intervals(const SweepSpec& spec, const std::string& out);

// Every summary.json under `dir` (the folder itself, or a sweep's points/*/), in path order, whose
// fields match every `select` pair (a dotted path into the summary and its value as text, e.g.
// {"scenario.protocol", "ring"}; in a sweep point, also a parameter of its point.json as given, e.g.
// {"scenario.gradient_mb", "40"}). Throws ConfigError when `dir` is not a folder.
std::vector<nlohmann::json> load_summaries(const std::string& dir,
                                           const std::vector<std::pair<std::string, std::string>>& select = {});

// The figures `panama analyze compare` sets side by side, from one summary (NaN when absent): mean
// training time of the finished jobs, short-flow FCT mean and p99, FCT mean and p99 by flow-size bucket,
// and the mean all-reduce goodput.
std::vector<std::pair<std::string, double>> compare_figures(const nlohmann::json& summary);

// Runs of A and B paired by scenario.seed: for every figure the means of A and B over the common seeds,
// and the per-seed ratio A / B as a mean with its 95 % interval. Throws ConfigError without a common seed.
// {seeds: [...], figures: [{figure, a_mean, b_mean, ratio, ratio_ci95, n}]}
nlohmann::json compare_runs(const std::vector<nlohmann::json>& a, const std::vector<nlohmann::json>& b);

}  // namespace panama
