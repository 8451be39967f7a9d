// libFuzzer target: the flow-size CDF loader (workload/flow_generator.h) on arbitrary text. It either
// refuses the text with a ConfigError or returns a CDF whose mean and samples are finite and in range.
#include "common/config.h"
#include "workload/flow_generator.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>

using namespace panama;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  FlowSizeCdf cdf;
  try {
    cdf = FlowSizeCdf::parse(in, "fuzz input");
  } catch (const ConfigError&) {
    return 0;  // refused, as documented; any other exception escapes and is reported
  }
  const double mean = cdf.mean(), largest = cdf.points().back().first;
  if (!std::isfinite(mean) || mean < 1 || mean > largest + 1) std::abort();
  std::mt19937_64 rng(size);
  for (int i = 0; i < 8; ++i) {
    const uint64_t s = cdf.sample(rng);
    if (s < 1 || double(s) > std::max(1.0, std::round(largest))) std::abort();
  }
  return 0;
}
