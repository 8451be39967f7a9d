// The files of one `panama run` beside its summary.json (written by the caller): per-flow and per-iteration
// records, the wide tables the plots read, the gnuplot script plots.gp and, where gnuplot is installed,
// its PNGs. Every file goes through the report writer (experiment/report.h).
#pragma once

#include "workload/flow_generator.h"
#include "workload/ml_job.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace panama {

class ExplicitFlows;

// Flow-size buckets of the slowdown figures, smallest first (summary flows.by_size, slowdown_by_size.csv).
struct SizeBucket {
  uint64_t below;  // bytes (exclusive)
  const char* name;
};
extern const SizeBucket kSizeBuckets[4];

// What a finished run hands its report: the summary and the records behind it (null: none).
struct RunRecords {
  const nlohmann::json& summary;
  const std::vector<FlowResult>* flows = nullptr;
  const ExplicitFlows* explicit_flows = nullptr;
  const std::vector<std::unique_ptr<MlJob>>* jobs = nullptr;
};

// Writes in `dir`: flows.csv, explicit_flows.csv (with explicit flows), iterations.csv, jobs.csv,
// slowdown_by_size.csv, flow_groups.csv (with explicit flows), queues_busiest.csv and windows_wide.csv
// (pivoted from the sampled queues.csv and windows.csv), plots.gp; then renders the plots. Returns the
// plots' status (report_render_gnuplot).
std::string write_run_report(const std::string& dir, const RunRecords& r);

}  // namespace panama
