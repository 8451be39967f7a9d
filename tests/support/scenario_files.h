// Scenario files for tests: write a YAML text next to the test's working directory, and the message
// load_scenario() refuses it with.
#pragma once

#include "common/config.h"
#include "experiment/scenario.h"

#include <fstream>
#include <string>
#include <vector>

namespace panama::test {

// Writes `text` to "<prefix>_<name>.yaml" and returns the path.
inline std::string write_temp(const std::string& prefix, const std::string& name, const std::string& text) {
  const std::string path = prefix + "_" + name + ".yaml";
  std::ofstream(path) << text;
  return path;
}

// The ConfigError message loading `path` (with `sets` overrides) gives, or "" when it loads.
inline std::string error_of(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    load_scenario(path, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace panama::test
