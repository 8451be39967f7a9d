// YAML input, for the configuration registry and the sweep loader: one document, and in every map keys
// that are plain scalars, each once. Errors are ConfigErrors naming the origin and the line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace panama {

// Parses `text` as one YAML document (an empty text is a null node); `origin` names it ("file F").
YAML::Node yaml_parse(const std::string& text, const std::string& origin);
// "`origin`, line N" for node `n`.
std::string yaml_where(const std::string& origin, const YAML::Node& n);
// Refuses a key of map `m` that is not a scalar (a map or list used as a key) or that appears twice;
// `prefix` ("a.b.") is put before the key in the message.
void yaml_check_keys(const YAML::Node& m, const std::string& origin, const std::string& prefix = "");

}  // namespace panama
