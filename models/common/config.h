// Configuration registry: the one place where YAML files and `--set key=value` overrides become typed
// parameters. Models never parse YAML themselves; each config struct registers its fields here with a
// documented default and a valid range, and the registry refuses unknown keys and invalid values with a
// message naming the key and where it came from (file and line, or the command line).
#pragma once

#include <cstddef>
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
  // record must have the `required` fields and may have the `optional` ones; nothing else, and each once.
  // At most `max_rows` records; `check`, when given, types each record's fields as they are read, so that
  // its errors name the record's file and line (`origin` is "file F, line N").
  using Row = std::map<std::string, std::string>;
  using Table = std::vector<Row>;
  using RowCheck = std::function<void(const Row& row, size_t index, const std::string& origin)>;
  void add_table(const std::string& key, Table* rows, const std::string& doc, std::vector<std::string> required,
                 std::vector<std::string> optional = {}, size_t max_rows = SIZE_MAX, RowCheck check = {});
  bool is_table(const std::string& key) const { return tables_.count(key) != 0; }
  // `origin` names the file ("file F"); records add their line.
  void set_table(const std::string& key, const void* yaml_node, const std::string& origin);

  // Load a YAML file of nested maps; every leaf must be a registered key, and no key may appear twice.
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
    size_t max_rows;
    RowCheck check;
  };
  std::map<std::string, TableSpec> tables_;
};

// Throws ConfigError naming `key` when `ok` is false. Used by cross-field validate() functions.
void config_require(bool ok, const std::string& key, const std::string& why);

// Typed readers: the one place where text becomes a number, for registered keys, record fields, files and
// command-line flags alike. A whole number (decimal, or hexadecimal with 0x) or a finite number within
// [min, max]; anything else is a ConfigError naming `key` and `origin`.
int64_t config_int(const std::string& key, const std::string& text, const std::string& origin, int64_t min,
                   int64_t max);
double config_number(const std::string& key, const std::string& text, const std::string& origin, double min,
                     double max);

// A number as configuration text (messages, ranges, generated overrides): up to 15 significant digits,
// so that a value read from a file prints as it was written.
std::string config_number_text(double v);

// The text of an input file `what` (e.g. "configuration file"): refuses a missing or unreadable file, a
// directory, a device and a file larger than limits::kInputFileBytes.
std::string config_read_file(const std::string& path, const std::string& what);

// Output paths, checked before a run by trying them (nothing is left behind): `what` names the option.
// A file: its directory exists and a file can be written there (an existing file is kept as it is), or
// its directory is `new_dir`, a directory the run makes first (its --out), checked as one. A directory:
// exists and is writable, or can be created.
void config_check_output_file(const std::string& path, const std::string& what, const std::string& new_dir = "");
void config_check_output_dir(const std::string& path, const std::string& what);

}  // namespace panama
