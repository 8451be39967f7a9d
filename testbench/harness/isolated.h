// SystemC allows one elaboration per process, so every test or sweep point that builds its own
// simulation runs it in a forked child and gets its results back as JSON through a pipe.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>

namespace panama {

// Runs `fn` in a child process and returns the JSON it produced. Throws std::runtime_error when the
// child fails (its exception text is carried back), crashes or exits non-zero.
nlohmann::json run_isolated(const std::function<nlohmann::json()>& fn);

}  // namespace panama
