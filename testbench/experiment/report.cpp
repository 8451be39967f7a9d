#include "experiment/report.h"

#include "common/config.h"
#include "experiment/process.h"

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace panama {

void report_write(const std::string& path, const std::string& text, const std::string& what) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    f << text;
    f.close();
    if (!f) throw ConfigError("cannot write " + what + " '" + path + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw ConfigError("cannot write " + what + " '" + path + "': " + ec.message());
  }
}

void report_write_json(const std::string& path, const nlohmann::json& j, const std::string& what) {
  report_write(path, j.dump(2) + "\n", what);
}

std::optional<nlohmann::json> report_read_json(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::string report_number(double x) {
  if (std::isnan(x)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

CsvTable::CsvTable(const std::vector<std::string>& columns) : columns_(columns.size()) {
  for (const auto& c : columns) text(c);
  end_row();
  rows_ = 0;  // (the header is not a row)
}

CsvTable::CsvTable(const std::vector<std::string>& columns, const std::string& path, const std::string& what)
    : CsvTable(columns) {
  path_ = path;
  what_ = what;
  stream_ = std::make_unique<std::ofstream>(path + ".tmp");
  if (!*stream_) throw ConfigError("cannot write " + what + " '" + path + "'");
}

CsvTable::~CsvTable() {
  try {
    close();
  } catch (const std::exception&) {  // (a destructor must not throw; close() reports when called)
  }
}

void CsvTable::flush() {
  *stream_ << text_;
  text_.clear();
}

void CsvTable::close() {
  if (!stream_) return;
  flush();
  stream_->close();
  const bool ok = bool(*stream_);
  stream_.reset();
  std::error_code ec;
  if (ok) std::filesystem::rename(path_ + ".tmp", path_, ec);
  if (!ok || ec) throw ConfigError("cannot write " + what_ + " '" + path_ + "'");
}

void CsvTable::field(const std::string& s) {
  if (fields_++) text_ += ',';
  text_ += s;
}

CsvTable& CsvTable::text(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) {
    field(s);
  } else {
    std::string q = "\"";
    for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
    field(q + "\"");
  }
  return *this;
}

CsvTable& CsvTable::num(double x) {
  field(report_number(x));
  return *this;
}

CsvTable& CsvTable::integer(long long v) {
  field(std::to_string(v));
  return *this;
}

CsvTable& CsvTable::blank() {
  field("");
  return *this;
}

void CsvTable::end_row() {
  if (fields_ != columns_)
    throw std::logic_error("CSV row of " + std::to_string(fields_) + " fields under " + std::to_string(columns_) +
                           " columns");
  text_ += '\n';
  fields_ = 0;
  ++rows_;
  if (stream_ && text_.size() >= (1u << 16)) flush();
}

PlotStatus report_render_gnuplot(const std::string& dir, const std::string& script) {
  const std::string gnuplot = find_on_path("gnuplot");
  if (gnuplot.empty()) return {false, "skipped: gnuplot not installed"};
  const std::string log = std::filesystem::absolute(dir + "/" + script + ".log").string();
  int status = 0;
  try {
    status = wait_for(spawn_logged({gnuplot, script}, log, dir));
  } catch (const std::runtime_error& e) {  // (the data and the script are there: only the PNGs are missing)
    return {false, std::string("gnuplot failed: ") + e.what()};
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, "written"};
  return {false, "gnuplot failed (" + exit_text(status) + "): " + last_line(log) + " [log: " + log + "]"};
}

std::string vcd_base_name(const std::string& f) {
  return f.size() > 4 && f.substr(f.size() - 4) == ".vcd" ? f.substr(0, f.size() - 4) : f;
}

void vcd_check_output(const std::string& path, const std::string& key, const std::string& new_dir) {
  config_check_output_file(vcd_base_name(path) + ".vcd", key, new_dir);
}

VcdFile::VcdFile(const std::string& path) {
  if (path.empty()) return;
  tf_ = sc_core::sc_create_vcd_trace_file(vcd_base_name(path).c_str());
  tf_->set_time_unit(1, sc_core::SC_PS);
}

VcdFile::~VcdFile() { close(); }

void VcdFile::close() {
  if (tf_) sc_core::sc_close_vcd_trace_file(tf_);
  tf_ = nullptr;
}

}  // namespace panama
