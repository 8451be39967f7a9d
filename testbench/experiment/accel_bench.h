// `panama accel`: one accelerator driven by N synthetic child ports (the tree root at this node), for
// a given offered load and number of slots. Shared by the CLI and the tests.
#pragma once

#include "accelerator/accelerator_config.h"
#include "common/clock.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace panama {

class ConfigRegistry;

struct AccelBenchConfig {
  uint32_t children = 4;        // child ports driven (ports 0..children-1)
  double load = 1.0;            // offered share of each port's line rate
  uint32_t slots = 20000;       // slots (packets per child) per job
  uint32_t jobs = 1;            // jobs sharing the accelerator (each on every child port)
  uint32_t trees = 1;           // aggregation trees per job (all rooted here)
  uint32_t elements = 0;        // elements per packet; 0 = as many as the MTU allows
  std::string element_type = "fp32";
  int64_t seed = 1;
  bool verify = true;           // check every result bit-exactly at child 0
  uint32_t cwnd_cap = 0xffff;   // cwnd_cap written by the children
  std::string vcd;              // VCD file ("" = none)
  double vcd_from_us = 0, vcd_to_us = 50;  // traced window

  void register_params(ConfigRegistry& reg, const std::string& prefix = "accel_bench");
};

// Runs the bench in this process (one simulation per process) and returns its figures.
nlohmann::json run_accel_bench(const AcceleratorConfig& acc, const AccelBenchConfig& bench);

// The analytic aggregation throughput in frame bits per second (Gbps): the smaller of the offered
// frame rate (N x port rate x load x frame / (frame + Ethernet overhead)) and the datapath rate
// (datapath bits x clock x frame / whole beats).
double analytic_throughput_gbps(const AcceleratorConfig& acc, const AccelBenchConfig& bench);

}  // namespace panama
