// Fabric and accelerator configurations that the validation cases (validate.cpp) and the tests build
// alike: one definition each, so that a case and the test beside it describe the same hardware.
#pragma once

#include "accelerator/accelerator_config.h"
#include "network/topology.h"

#include <cstdint>

namespace panama {

// A leaf-spine of `leaves` leaves with `hosts_per_leaf` hosts each and `spines` spines, 100 Gbps links
// (the topology defaults), every switch a PSwitch when `pswitches`, none otherwise.
inline TopologyConfig leaf_spine_config(uint32_t leaves, uint32_t spines, uint32_t hosts_per_leaf,
                                        bool pswitches = true, double oversubscription = 1.0) {
  TopologyConfig t;
  t.type = "leaf_spine";
  t.leaves = leaves;
  t.spines = spines;
  t.hosts_per_leaf = hosts_per_leaf;
  t.oversubscription = oversubscription;
  t.pswitches = pswitches ? "all" : "none";
  return t;
}

// The default accelerator (512-bit datapath, 16 FP32 lanes at 250 MHz = 128 Gbps of additions) is sized
// for four 25 Gbps children. This one is 4x wider (2048-bit datapath and SRAM rows, 64 lanes = 512 Gbps
// at 250 MHz), above the 400 Gbps four 100 Gbps hosts of a leaf offer, so that the network and not the
// adder datapath is the bottleneck.
inline AcceleratorConfig wide_accelerator() {
  AcceleratorConfig a;
  a.datapath_bits = 2048;
  a.sram_width_bits = 2048;
  a.lanes = 64;
  return a;
}

}  // namespace panama
