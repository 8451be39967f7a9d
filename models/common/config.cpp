#include "common/config.h"

#include "common/limits.h"
#include "common/yaml_input.h"

#include <yaml-cpp/eventhandler.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

namespace panama {
namespace {

[[noreturn]] void bad_value(const std::string& key, const std::string& value, const std::string& origin,
                            const std::string& expected) {
  throw ConfigError("invalid value '" + value + "' for key '" + key + "' (" + origin + "): expected " +
                    expected);
}

std::string int_range(int64_t min, int64_t max) {
  return "integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

std::string number_range(double min, double max) { return "number in [" + config_number_text(min) + ", " + config_number_text(max) + "]"; }

}  // namespace

int64_t config_int(const std::string& key, const std::string& v, const std::string& origin, int64_t min, int64_t max) {
  errno = 0;
  char* end = nullptr;
  // Decimal, or hexadecimal with 0x: a leading zero is not octal (`010` means ten).
  const bool hex = v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
  long long x = std::strtoll(v.c_str(), &end, hex ? 16 : 10);
  if (v.empty() || *end != '\0' || errno == ERANGE || x < min || x > max) bad_value(key, v, origin, int_range(min, max));
  return x;
}

std::string config_number_text(double v) {
  std::ostringstream os;
  os << std::setprecision(15) << v;
  return os.str();
}

double config_number(const std::string& key, const std::string& v, const std::string& origin, double min, double max) {
  errno = 0;
  char* end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(x) || x < min || x > max)
    bad_value(key, v, origin, "a finite " + number_range(min, max));
  return x;
}

std::string config_read_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw ConfigError("cannot open " + what + " '" + path + "': " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw ConfigError(what + " '" + path + "' is a directory, not a file");
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode))
    throw ConfigError(what + " '" + path + "' is a device, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot open " + what + " '" + path + "'");
  // Read at most one byte beyond the limit (a pipe's size is known only by reading it).
  std::string text(size_t(limits::kInputFileBytes) + 1, '\0');
  in.read(text.data(), std::streamsize(text.size()));
  if (in.bad()) throw ConfigError("cannot read " + what + " '" + path + "'");
  text.resize(size_t(in.gcount()));
  if (text.size() > limits::kInputFileBytes)
    throw ConfigError(what + " '" + path + "' is larger than " + std::to_string(limits::kInputFileBytes >> 20) +
                      " MiB (docs/input-limits.md)");
  return text;
}

namespace {
// Creates and removes a directory inside `dir`: whether this process can write there (as root, access()
// says yes even on a read-only or virtual file system).
bool can_write_in(const std::string& dir) {
  std::string probe = (dir.empty() ? std::string(".") : dir) + "/.panama-write-check-XXXXXX";
  if (!::mkdtemp(probe.data())) return false;
  ::rmdir(probe.c_str());
  return true;
}
}  // namespace

void config_check_output_file(const std::string& path, const std::string& what, const std::string& new_dir) {
  namespace fs = std::filesystem;
  if (path.empty()) throw ConfigError(what + ": empty file name");
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (fs::is_directory(st)) throw ConfigError(what + " '" + path + "' is a directory: name a file");
  const fs::path dir = fs::path(path).parent_path();
  const auto same = [](const fs::path& a, const fs::path& b) {
    return fs::absolute(a).lexically_normal() == fs::absolute(b).lexically_normal();
  };
  if (!new_dir.empty() && !fs::exists(new_dir, ec) && same(dir.empty() ? fs::path(".") : dir, new_dir))
    return config_check_output_dir(new_dir, what + " (in a new directory)");
  if (!dir.empty() && !fs::is_directory(dir, ec))
    throw ConfigError(what + " '" + path + "': no directory '" + dir.string() + "' to write it in");
  if (fs::exists(st)) {  // open it for appending: nothing changes
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
    if (fd < 0) throw ConfigError(what + " '" + path + "' cannot be written: " + std::strerror(errno));
    ::close(fd);
  } else {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) throw ConfigError(what + " '" + path + "' cannot be written: " + std::strerror(errno));
    ::close(fd);
    ::unlink(path.c_str());
  }
}

void config_check_output_dir(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  if (path.empty()) throw ConfigError(what + ": empty directory name");
  std::error_code ec;
  // The directory, or the closest of its parents that exists: the one that has to be writable.
  fs::path p = fs::path(path).lexically_normal();
  while (!p.empty() && !fs::exists(fs::symlink_status(p, ec)) && p != p.parent_path()) p = p.parent_path();
  if (p.empty()) p = ".";
  if (!fs::is_directory(p, ec))
    throw ConfigError(what + " '" + path + "': '" + p.string() + "' is " +
                      (p.string() == fs::path(path).lexically_normal().string() ? "not a directory" : "a file, not a directory"));
  if (!can_write_in(p.string()))
    throw ConfigError(what + " '" + path + "': cannot write in '" + p.string() + "': " + std::strerror(errno));
}

void config_require(bool ok, const std::string& key, const std::string& why) {
  if (!ok) throw ConfigError("invalid configuration: '" + key + "' " + why);
}

void ConfigRegistry::add_param(const std::string& key, Param p) {
  if (params_.count(key)) throw std::logic_error("config key registered twice: " + key);
  params_.emplace(key, std::move(p));
}

void ConfigRegistry::add(const std::string& key, int64_t* field, const std::string& doc, int64_t min,
                         int64_t max) {
  add_param(key, {doc, int_range(min, max),
                  [=](const std::string& v, const std::string& origin) { *field = config_int(key, v, origin, min, max); },
                  [=] { return std::to_string(*field); }});
}

void ConfigRegistry::add(const std::string& key, uint32_t* field, const std::string& doc, uint32_t min,
                         uint32_t max) {
  add_param(key, {doc, int_range(min, max),
                  [=](const std::string& v, const std::string& origin) {
                    *field = uint32_t(config_int(key, v, origin, min, max));
                  },
                  [=] { return std::to_string(*field); }});
}

void ConfigRegistry::add(const std::string& key, double* field, const std::string& doc, double min,
                         double max) {
  add_param(key, {doc, number_range(min, max),
                  [=](const std::string& v, const std::string& origin) { *field = config_number(key, v, origin, min, max); },
                  [=] { return config_number_text(*field); }});
}

void ConfigRegistry::add(const std::string& key, bool* field, const std::string& doc) {
  add_param(key, {doc, "true or false",
                  [=](const std::string& v, const std::string& origin) {
                    if (v == "true" || v == "on" || v == "yes" || v == "1") *field = true;
                    else if (v == "false" || v == "off" || v == "no" || v == "0") *field = false;
                    else bad_value(key, v, origin, "true or false");
                  },
                  [=] { return std::string(*field ? "true" : "false"); }});
}

void ConfigRegistry::add(const std::string& key, std::string* field, const std::string& doc) {
  add_param(key, {doc, "string", [=](const std::string& v, const std::string&) { *field = v; },
                  [=] { return *field; }});
}

void ConfigRegistry::add_choice(const std::string& key, std::string* field, const std::string& doc,
                                std::vector<std::string> choices) {
  std::string range = "one of:";
  for (auto& c : choices) range += " " + c;
  add_param(key, {doc, range,
                  [=](const std::string& v, const std::string& origin) {
                    for (auto& c : choices)
                      if (c == v) {
                        *field = v;
                        return;
                      }
                    bad_value(key, v, origin, range);
                  },
                  [=] { return *field; }});
}

void ConfigRegistry::set(const std::string& key, const std::string& value, const std::string& origin) {
  auto it = params_.find(key);
  if (it == params_.end()) {
    if (tables_.count(key)) throw ConfigError("key '" + key + "' is a list of records: set it in a file (" + origin + ")");
    throw ConfigError("unknown configuration key '" + key + "' (" + origin + ")");
  }
  it->second.set(value, origin);
}

std::string ConfigRegistry::get(const std::string& key) const {
  auto it = params_.find(key);
  if (it == params_.end()) throw ConfigError("unknown configuration key '" + key + "'");
  return it->second.get();
}

void ConfigRegistry::add_table(const std::string& key, Table* rows, const std::string& doc,
                               std::vector<std::string> required, std::vector<std::string> optional, size_t max_rows,
                               RowCheck check) {
  if (tables_.count(key) || params_.count(key)) throw std::logic_error("config key registered twice: " + key);
  tables_[key] = TableSpec{rows, doc, std::move(required), std::move(optional), max_rows, std::move(check)};
}

void ConfigRegistry::set_table(const std::string& key, const void* yaml_node, const std::string& origin) {
  const YAML::Node& seq = *static_cast<const YAML::Node*>(yaml_node);
  const TableSpec& spec = tables_.at(key);
  if (!seq.IsSequence())
    throw ConfigError("key '" + key + "' must be a list of records (" + yaml_where(origin, seq) + ")");
  if (seq.size() > spec.max_rows)
    throw ConfigError("key '" + key + "' has " + std::to_string(seq.size()) + " records; at most " +
                      std::to_string(spec.max_rows) + " (" + yaml_where(origin, seq) + ")");
  Table rows;
  for (size_t i = 0; i < seq.size(); ++i) {
    const YAML::Node& rec = seq[i];
    const std::string at = yaml_where(origin, rec);
    const std::string where = key + "[" + std::to_string(i) + "] (" + at + ")";
    if (!rec.IsMap()) throw ConfigError("record " + where + " must be a map of fields");
    yaml_check_keys(rec, origin, key + "[" + std::to_string(i) + "].");
    Row row;
    for (const auto& kv : rec) {
      const std::string field = kv.first.Scalar();
      const bool known = std::find(spec.required.begin(), spec.required.end(), field) != spec.required.end() ||
                         std::find(spec.optional.begin(), spec.optional.end(), field) != spec.optional.end();
      if (!known) throw ConfigError("unknown field '" + field + "' in " + where);
      if (!kv.second.IsScalar()) throw ConfigError("field '" + field + "' in " + where + " must be a scalar");
      row[field] = kv.second.Scalar();
    }
    for (const auto& r : spec.required)
      if (!row.count(r)) throw ConfigError("missing field '" + r + "' in " + where);
    if (spec.check) spec.check(row, i, at);
    rows.push_back(std::move(row));
  }
  *spec.rows = std::move(rows);
}

namespace {
// Where each document of a YAML stream starts. yaml-cpp 0.7's LoadAll() loops for ever, allocating, on a
// ',' outside a flow collection (yaml-cpp issue 1040, found here by fuzz_config): the parser then reports
// document after document, each starting where the last one did. Counting them here stops at that.
struct DocumentStarts : YAML::EventHandler {
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& m) override { starts.push_back(m); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};
}  // namespace

YAML::Node yaml_parse(const std::string& text, const std::string& origin) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts d;
    while (d.starts.size() < 3 && parser.HandleNextDocument(d)) {
      const size_t n = d.starts.size();
      if (n >= 2 && d.starts[n - 1].pos == d.starts[n - 2].pos)
        throw ConfigError("cannot parse YAML (" + origin + ", line " + std::to_string(d.starts[n - 1].line + 1) +
                          "): a ',' outside a [list] or {map}");
    }
    if (d.starts.size() > 1)
      throw ConfigError("YAML (" + origin + ") holds more than one document ('---'); a configuration is one document");
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError("cannot parse YAML (" + origin + "): " + e.what());
  }
}

std::string yaml_where(const std::string& origin, const YAML::Node& n) {
  return origin + ", line " + std::to_string(n.Mark().line + 1);
}

void yaml_check_keys(const YAML::Node& m, const std::string& origin, const std::string& prefix) {
  std::set<std::string> seen;
  for (const auto& kv : m) {
    if (!kv.first.IsScalar())
      throw ConfigError("a key under '" + (prefix.empty() ? std::string("(top level)") : prefix.substr(0, prefix.size() - 1)) +
                        "' is a " + (kv.first.IsMap() ? "map" : kv.first.IsSequence() ? "list" : "null") +
                        "; keys are plain names (" + yaml_where(origin, kv.first) + ")");
    if (!seen.insert(kv.first.Scalar()).second)
      throw ConfigError("key '" + prefix + kv.first.Scalar() + "' appears twice in one map (" +
                        yaml_where(origin, kv.first) + ")");
  }
}

namespace {
void walk(ConfigRegistry& reg, const YAML::Node& node, const std::string& prefix, const std::string& origin) {
  if (node.IsNull()) return;
  if (!node.IsMap())
    throw ConfigError("configuration (" + origin + "): expected a map of keys" +
                      (prefix.empty() ? std::string() : " under '" + prefix + "'") + " at line " +
                      std::to_string(node.Mark().line + 1));
  yaml_check_keys(node, origin, prefix.empty() ? "" : prefix + ".");
  for (const auto& kv : node) {
    std::string key = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
    std::string where = yaml_where(origin, kv.first);
    const YAML::Node& v = kv.second;
    if (reg.is_table(key)) {
      reg.set_table(key, &v, origin);
    } else if (v.IsMap()) {
      walk(reg, v, key, origin);
    } else if (v.IsScalar()) {
      reg.set(key, v.Scalar(), where);
    } else if (v.IsNull()) {
      throw ConfigError("key '" + key + "' has no value (" + where + ")");
    } else {
      throw ConfigError("key '" + key + "' must be a scalar value (" + where + ")");
    }
  }
}
}  // namespace

void ConfigRegistry::load_text(const std::string& text, const std::string& origin) {
  walk(*this, yaml_parse(text, origin), "", origin);
}

void ConfigRegistry::load_file(const std::string& path) {
  load_text(config_read_file(path, "configuration file"), "file " + path);
}

void ConfigRegistry::apply_override(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("override '" + assignment + "' must have the form key=value (--set)");
  set(assignment.substr(0, eq), assignment.substr(eq + 1), "--set " + assignment);
}

std::string ConfigRegistry::describe() const {
  std::ostringstream os;
  for (const auto& [key, p] : params_)
    os << key << ": " << p.get() << "    # " << p.doc << " (" << p.range << ")\n";
  for (const auto& [key, t] : tables_) {
    os << key << ": [" << t.rows->size() << " records]    # " << t.doc << " (list of {";
    for (size_t i = 0; i < t.required.size(); ++i) os << (i ? ", " : "") << t.required[i];
    for (const auto& o : t.optional) os << ", " << o << "?";
    os << "})\n";
  }
  return os.str();
}

std::map<std::string, std::string> ConfigRegistry::values() const {
  std::map<std::string, std::string> out;
  for (const auto& [key, p] : params_) out[key] = p.get();
  return out;
}

}  // namespace panama
