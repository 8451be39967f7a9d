// libFuzzer targets: the configuration loader with a scenario's registry (every key of `panama run`: the
// scenario, the topology with its custom links, the accelerator, the transports, the job table, the
// background flows), and with a topology's alone (`panama topo`), on arbitrary YAML text.
// An input is refused with a ConfigError or accepted; an accepted topology must build, and small ones
// are built (the builder's own checks must then agree with validate()). Any other exception, a crash, a
// sanitizer report or a hang is a finding.
#include "common/config.h"
#include "experiment/scenario.h"
#include "network/topology.h"

#include <cstdint>
#include <string>

using namespace panama;

namespace {
// Builds the fabric of an accepted configuration when it is small (building costs ~5 ms a node under ASan).
void build_if_small(const TopologyConfig& t, const AcceleratorConfig& accel) {
  const TopologySize n = t.size();
  // (A valid fabric may allocate up to limits::kModelMemoryBytes of SRAM: too slow to build per input.)
  if (n.hosts + n.switches > 16 || double(n.pswitches) * accel.sram_kib * 1024 > 64e6) return;
  try {
    Fabric f("fabric", t, accel);
  } catch (const ConfigError&) {
    // A graph property validate() does not know: a disconnected custom topology.
  }
}
}  // namespace

// Loads `text` into a registry of `cfg`'s keys and validates it; false when refused with a ConfigError.
template <class Config>
bool accepted(Config& cfg, const std::string& text) {
  ConfigRegistry reg;
  cfg.register_params(reg);
  try {
    reg.load_text(text, "fuzz input");
    cfg.validate();
  } catch (const ConfigError&) {
    return false;
  }
  return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
#ifdef PANAMA_FUZZ_TOPOLOGY
  TopologyConfig t;
  if (accepted(t, text)) build_if_small(t, AcceleratorConfig{});
#else
  ScenarioConfig cfg;
  if (accepted(cfg, text)) build_if_small(cfg.topo, cfg.accel);
#endif
  return 0;
}
