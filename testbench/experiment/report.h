// The report writer: every file a run, sweep, accelerator bench or co-simulation writes goes through here.
// JSON and CSV are written whole (a reader never meets half a file: a resumed sweep trusts a point whose
// summary.json parses), numbers in CSVs have one format, gnuplot is run one way (no shell) and VCD files
// are opened one way.
#pragma once

#include <nlohmann/json.hpp>

#include <systemc>

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace panama {

// Writes `text` to `path`: first to PATH.tmp, then renamed over PATH. Throws ConfigError naming `what`
// and the path when it cannot.
void report_write(const std::string& path, const std::string& text, const std::string& what);
// `j` indented by two, with a final newline.
void report_write_json(const std::string& path, const nlohmann::json& j, const std::string& what);
// The JSON object in `path` (a run's summary.json, a sweep point's point.json), or nothing when the file
// is missing or unreadable or holds no JSON object (e.g. one an interrupted run left).
std::optional<nlohmann::json> report_read_json(const std::string& path);

// A CSV number: 9 significant digits (a float32 figure or a counter up to 1e9 round-trips exactly), NaN
// as an empty field (gnuplot leaves a gap; a spreadsheet an empty cell).
std::string report_number(double x);

// One CSV table: the header, then rows of exactly as many fields; text fields quoted where they hold a
// comma, quote or line break. Built in memory and written by write(), or, for a long time series, streamed:
// constructed with a path, its rows go to PATH.tmp as they come and close() (or the destructor) renames
// that to PATH.
class CsvTable {
 public:
  explicit CsvTable(const std::vector<std::string>& columns);
  CsvTable(const std::vector<std::string>& columns, const std::string& path, const std::string& what);
  ~CsvTable();
  CsvTable(const CsvTable&) = delete;
  CsvTable& operator=(const CsvTable&) = delete;
  CsvTable& text(const std::string& s);
  CsvTable& num(double x);  // report_number
  CsvTable& integer(long long v);
  CsvTable& blank();
  // Ends the row; a row of the wrong width is a bug of the writer (std::logic_error).
  void end_row();
  size_t rows() const { return rows_; }
  size_t columns() const { return columns_; }
  const std::string& str() const { return text_; }
  void write(const std::string& path, const std::string& what) const { report_write(path, text_, what); }
  // A streamed table: writes what is left and renames the file into place.
  void close();

 private:
  void field(const std::string& s);
  void flush();
  std::string text_;
  size_t columns_, fields_ = 0, rows_ = 0;
  std::unique_ptr<std::ofstream> stream_;
  std::string path_, what_;
};

// Renders the gnuplot script `dir/script` in `dir` (the script names its outputs relative to it); gnuplot's
// output goes to dir/SCRIPT.log. `ok` is true when gnuplot exited 0; `status` is "written", "skipped:
// gnuplot not installed" or "gnuplot failed (exit status N): <its last line> [log: PATH]".
struct PlotStatus {
  bool ok = false;
  std::string status;
};
PlotStatus report_render_gnuplot(const std::string& dir, const std::string& script);

// sc_create_vcd_trace_file appends ".vcd" to the name it is given: "x.vcd" and "x" both name x.vcd.
std::string vcd_base_name(const std::string& path);
// Checks that the VCD file `path` can be created (config_check_output_file) before anything is built.
void vcd_check_output(const std::string& path, const std::string& key, const std::string& new_dir = "");

// A VCD waveform file, time unit 1 ps (the models' time base); created at construction (during
// elaboration, as SystemC requires), closed by close() or the destructor. An empty path: no file.
class VcdFile {
 public:
  explicit VcdFile(const std::string& path);
  ~VcdFile();
  VcdFile(const VcdFile&) = delete;
  VcdFile& operator=(const VcdFile&) = delete;
  sc_core::sc_trace_file* get() const { return tf_; }
  explicit operator bool() const { return tf_ != nullptr; }
  void close();

 private:
  sc_core::sc_trace_file* tf_ = nullptr;
};

}  // namespace panama
