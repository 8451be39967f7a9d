// Documented limits of what a run may ask for (docs/input-limits.md). Each is checked before anything is
// allocated or simulated, with a ConfigError naming the key and the estimate: an input beyond them would
// not fail quickly but run for hours or exhaust the machine's memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace panama::limits {

// A configuration, scenario, topology, sweep or flow-size CDF file (yaml-cpp parses ~3 MB/s).
constexpr uint64_t kInputFileBytes = 4u << 20;
// Records of the job table (`jobs`): job ids are 16 bits, and the accelerators hold at most 4096 jobs.
constexpr size_t kJobs = 4096;
// Points of one sweep (each is one `panama run`).
constexpr size_t kSweepPoints = 10000;
// Hosts plus switches of a topology.
constexpr uint64_t kTopologyNodes = 131072;
// Route computation: hosts x switch ports (one BFS per destination host over every switch port). A k = 32
// fat-tree is 8192 x 40960 = 3.4e8 and builds in ~20 s; the time grows as k^6.
constexpr double kRouteWork = 4e8;
// Ports of a switch: multicast port masks are 64 bits.
constexpr uint32_t kSwitchPorts = 64;
// Memory the model allocates up front for its state: the accelerators' buffer SRAM and slot tables and
// the PANAMA workers' per-packet records.
constexpr uint64_t kModelMemoryBytes = 8ull << 30;
// Background flows a scenario's arrival rate asks for over its window, and per ordered host pair (a
// host has 55536 client TCP ports towards one destination).
constexpr double kFlows = 1e6;
constexpr double kFlowsPerHostPair = 40000;
// Largest flow size in a flow-size CDF, bytes (DCTCP offsets are 40 bits).
constexpr double kFlowBytes = 1e12;

}  // namespace panama::limits
