// Configuration registry: the one place where YAML files and `--set key=value` overrides become typed
// parameters. Models never parse YAML themselves; each config struct registers its fields here with a
// documented default and a valid range, and the registry refuses unknown keys and invalid values with a
// message naming the key and where it came from (file and line, or the command line).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace panama {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConfigRegistry {
 public:
  // Register a scalar parameter. `min`/`max` bound numeric parameters (inclusive).
  void add(const std::string& key, int64_t* field, const std::string& doc, int64_t min, int64_t max);
  void add(const std::string& key, uint32_t* field, const std::string& doc, uint32_t min, uint32_t max);
  void add(const std::string& key, double* field, const std::string& doc, double min, double max);
  void add(const std::string& key, bool* field, const std::string& doc);
  void add(const std::string& key, std::string* field, const std::string& doc);
  // A string parameter restricted to one of `choices`.
  void add_choice(const std::string& key, std::string* field, const std::string& doc,
                  std::vector<std::string> choices);

  // A list of records (YAML sequence of maps of scalars), e.g. the links of a custom topology. Every
  // record must have the `required` fields and may have the `optional` ones; nothing else.
  using Table = std::vector<std::map<std::string, std::string>>;
  void add_table(const std::string& key, Table* rows, const std::string& doc, std::vector<std::string> required,
                 std::vector<std::string> optional = {});
  bool is_table(const std::string& key) const { return tables_.count(key) != 0; }
  void set_table(const std::string& key, const void* yaml_node, const std::string& origin);

  // Load a YAML file of nested maps; every leaf must be a registered key.
  void load_file(const std::string& path);
  // Load YAML text (for tests and embedded defaults); `origin` names it in errors.
  void load_text(const std::string& text, const std::string& origin);
  // Apply one `a.b.c=value` override.
  void apply_override(const std::string& assignment);

  // Set a key from its text form; `origin` is used in error messages.
  void set(const std::string& key, const std::string& value, const std::string& origin);
  std::string get(const std::string& key) const;
  bool has(const std::string& key) const { return params_.count(key) != 0; }

  // Every key with its current value and documentation, as commented YAML.
  std::string describe() const;
  // Current values as flat key -> text (for run records).
  std::map<std::string, std::string> values() const;

 private:
  struct Param {
    std::string doc;
    std::string range;  // human-readable valid range or choices
    std::function<void(const std::string&, const std::string&)> set;
    std::function<std::string()> get;
  };
  void add_param(const std::string& key, Param p);
  std::map<std::string, Param> params_;  // ordered, so describe() output is stable
  struct TableSpec {
    Table* rows;
    std::string doc;
    std::vector<std::string> required, optional;
  };
  std::map<std::string, TableSpec> tables_;
};

// Throws ConfigError naming `key` when `ok` is false. Used by cross-field validate() functions.
void config_require(bool ok, const std::string& key, const std::string& why);

}  // namespace panama
