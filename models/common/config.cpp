#include "common/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace panama {
namespace {

std::string fmt_double(double v) {
  std::ostringstream os;
  os << std::setprecision(15) << v;
  return os.str();
}

[[noreturn]] void bad_value(const std::string& key, const std::string& value, const std::string& origin,
                            const std::string& expected) {
  throw ConfigError("invalid value '" + value + "' for key '" + key + "' (" + origin + "): expected " +
                    expected);
}

int64_t parse_int(const std::string& key, const std::string& v, const std::string& origin) {
  errno = 0;
  char* end = nullptr;
  // Decimal, or hexadecimal with 0x: a leading zero is not octal (`010` means ten).
  const bool hex = v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
  long long x = std::strtoll(v.c_str(), &end, hex ? 16 : 10);
  if (v.empty() || *end != '\0' || errno == ERANGE) bad_value(key, v, origin, "an integer");
  return x;
}

double parse_double(const std::string& key, const std::string& v, const std::string& origin) {
  errno = 0;
  char* end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(x)) bad_value(key, v, origin, "a number");
  return x;
}

}  // namespace

void config_require(bool ok, const std::string& key, const std::string& why) {
  if (!ok) throw ConfigError("invalid configuration: '" + key + "' " + why);
}

void ConfigRegistry::add_param(const std::string& key, Param p) {
  if (params_.count(key)) throw std::logic_error("config key registered twice: " + key);
  params_.emplace(key, std::move(p));
}

void ConfigRegistry::add(const std::string& key, int64_t* field, const std::string& doc, int64_t min,
                         int64_t max) {
  std::string range = "integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  add_param(key, {doc, range,
                  [=](const std::string& v, const std::string& origin) {
                    int64_t x = parse_int(key, v, origin);
                    if (x < min || x > max) bad_value(key, v, origin, range);
                    *field = x;
                  },
                  [=] { return std::to_string(*field); }});
}

void ConfigRegistry::add(const std::string& key, uint32_t* field, const std::string& doc, uint32_t min,
                         uint32_t max) {
  std::string range = "integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  add_param(key, {doc, range,
                  [=](const std::string& v, const std::string& origin) {
                    int64_t x = parse_int(key, v, origin);
                    if (x < int64_t(min) || x > int64_t(max)) bad_value(key, v, origin, range);
                    *field = uint32_t(x);
                  },
                  [=] { return std::to_string(*field); }});
}

void ConfigRegistry::add(const std::string& key, double* field, const std::string& doc, double min,
                         double max) {
  std::string range = "number in [" + fmt_double(min) + ", " + fmt_double(max) + "]";
  add_param(key, {doc, range,
                  [=](const std::string& v, const std::string& origin) {
                    double x = parse_double(key, v, origin);
                    if (x < min || x > max) bad_value(key, v, origin, range);
                    *field = x;
                  },
                  [=] { return fmt_double(*field); }});
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
                               std::vector<std::string> required, std::vector<std::string> optional) {
  if (tables_.count(key) || params_.count(key)) throw std::logic_error("config key registered twice: " + key);
  tables_[key] = TableSpec{rows, doc, std::move(required), std::move(optional)};
}

void ConfigRegistry::set_table(const std::string& key, const void* yaml_node, const std::string& origin) {
  const YAML::Node& seq = *static_cast<const YAML::Node*>(yaml_node);
  const TableSpec& spec = tables_.at(key);
  if (!seq.IsSequence()) throw ConfigError("key '" + key + "' must be a list of records (" + origin + ")");
  Table rows;
  for (size_t i = 0; i < seq.size(); ++i) {
    const YAML::Node& rec = seq[i];
    const std::string where = key + "[" + std::to_string(i) + "] (" + origin + ", line " +
                              std::to_string(rec.Mark().line + 1) + ")";
    if (!rec.IsMap()) throw ConfigError("record " + where + " must be a map of fields");
    std::map<std::string, std::string> row;
    for (const auto& kv : rec) {
      const std::string field = kv.first.as<std::string>();
      const bool known = std::find(spec.required.begin(), spec.required.end(), field) != spec.required.end() ||
                         std::find(spec.optional.begin(), spec.optional.end(), field) != spec.optional.end();
      if (!known) throw ConfigError("unknown field '" + field + "' in " + where);
      if (!kv.second.IsScalar()) throw ConfigError("field '" + field + "' in " + where + " must be a scalar");
      row[field] = kv.second.Scalar();
    }
    for (const auto& r : spec.required)
      if (!row.count(r)) throw ConfigError("missing field '" + r + "' in " + where);
    rows.push_back(std::move(row));
  }
  *spec.rows = std::move(rows);
}

namespace {
void walk(ConfigRegistry& reg, const YAML::Node& node, const std::string& prefix, const std::string& origin) {
  if (node.IsNull()) return;
  if (!node.IsMap())
    throw ConfigError("configuration (" + origin + "): expected a map of keys" +
                      (prefix.empty() ? std::string() : " under '" + prefix + "'") + " at line " +
                      std::to_string(node.Mark().line + 1));
  for (const auto& kv : node) {
    std::string key = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
    std::string where = origin + ", line " + std::to_string(kv.first.Mark().line + 1);
    const YAML::Node& v = kv.second;
    if (reg.is_table(key)) {
      reg.set_table(key, &v, where);
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
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError("cannot parse YAML (" + origin + "): " + e.what());
  }
  walk(*this, root, "", origin);
}

void ConfigRegistry::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot open configuration file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  load_text(ss.str(), "file " + path);
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
