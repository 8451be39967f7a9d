// The PANAMA controller: gives each data-parallel job up to T aggregation trees and installs their
// state in the fabric. A tree is rooted at a switch of the lowest tier that reaches every worker going
// down (one ToR when all workers share a rack; distinct roots at the top tier where the topology allows);
// its branches are the shortest downward paths from the root to the workers' ToRs. Each tree gets an IP
// multicast address. At every tree switch the controller installs the accelerator's job state (children
// ports, root or up lane, down lanes) and the switch's multicast entry (up port towards the root for
// contributions, down ports for results). Reduce flows below a threshold (40 MB in the paper) are not
// aggregated; a job that an accelerator cannot take falls back to the host baseline, and says why.
#pragma once

#include "network/pswitch.h"
#include "network/topology.h"
#include "protocol/packet.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace panama {

class ConfigRegistry;

struct ControllerConfig {
  uint32_t max_trees = 4;                 // trees per job (multipath), at most the number of roots
  double threshold_mb = 40.0;             // smallest reduce (gradient) size aggregated in the network
  void register_params(ConfigRegistry& reg, const std::string& prefix = "controller");
};

struct TreePlan {
  uint8_t tree = 0;
  Ipv4Addr group = 0;     // 239.<job hi>.<job lo>.<tree>
  uint32_t root = 0;      // switch index in fabric.switches
  struct Node {
    uint32_t sw;          // switch index
    uint64_t children;    // ports towards children (workers or lower switches) on this tree
    int parent_port;      // port towards the root (-1 at the root)
  };
  std::vector<Node> nodes;
  uint32_t per_tree_slots = 0;  // smallest per-tree accelerator memory on the tree, packets
};

struct JobPlan {
  uint16_t job = 0;
  std::vector<uint32_t> workers;  // host indices
  ElementType type = ElementType::fp32;
  bool aggregated = false;        // false: the job uses the host baseline
  std::string fallback_reason;    // why not aggregated
  std::vector<TreePlan> trees;
  uint16_t fan_in() const { return uint16_t(workers.size()); }
};

class Controller {
 public:
  Controller(Fabric& fabric, const ControllerConfig& cfg);

  // Plans and installs trees for a job of `gradient_bytes` per iteration over `workers`. `trees` = 0
  // takes the configured maximum. Returns the plan; on fallback nothing stays installed.
  JobPlan admit(uint16_t job, const std::vector<uint32_t>& workers, uint64_t gradient_bytes,
                ElementType type = ElementType::fp32, uint32_t trees = 0);
  // Removes every piece of the job's state from switches and accelerators.
  void release(uint16_t job);

  const JobPlan* plan(uint16_t job) const;
  size_t active_jobs() const { return jobs_.size(); }  // admitted and not yet released
  const ControllerConfig& config() const { return cfg_; }
  static Ipv4Addr group_address(uint16_t job, uint8_t tree) {
    return group_ip(job, tree);
  }

 private:
  std::vector<uint32_t> candidate_roots(const std::vector<uint32_t>& workers) const;
  bool build_tree(uint32_t root, const std::vector<uint32_t>& workers, TreePlan& t) const;
  std::string install(const JobPlan& p);

  Fabric& f_;
  ControllerConfig cfg_;
  std::map<uint16_t, JobPlan> jobs_;
};

}  // namespace panama
