// Fabric: builds a data-centre topology of hosts, switches and links from a TopologyConfig (YAML
// `topology.*` keys), validates it, and computes shortest-path ECMP routes for every destination host.
// Types: k-ary fat-tree (3 tiers, k^3/4 hosts), leaf-spine (2 tiers, with oversubscription), dumbbell
// (N senders, one bottleneck link, N receivers) and incast (N senders and one receiver on one switch).
#pragma once

#include "common/event_queue.h"
#include "common/packet_pool.h"
#include "network/host.h"
#include "network/link.h"
#include "network/net_node.h"
#include "network/switch.h"
#include "accelerator/accelerator_config.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace panama {

class ConfigRegistry;

// What a configuration builds, known before anything is built (docs/input-limits.md).
struct TopologySize {
  uint64_t hosts = 0, switches = 0, pswitches = 0;
  uint64_t switch_ports = 0, max_switch_ports = 0;  // all switches' ports; the most any one switch has
};

// One link of a custom topology, typed and checked (TopologyConfig::custom_links).
struct CustomLink {
  bool a_host = false, b_host = false;  // each end: a host (index into hosts) or a switch (into switches)
  uint32_t a = 0, b = 0;
  double gbps = 0, delay_ns = 0;
  uint32_t ecn_k = 0;  // ECN K of the switch ends' egress ports, frames (0: topology.switch.ecn_k_packets)
};

struct TopologyConfig {
  std::string type = "fat_tree";  // fat_tree | leaf_spine | dumbbell | incast | custom
  uint32_t k = 4;                  // fat-tree arity (even)
  uint32_t leaves = 4, spines = 2, hosts_per_leaf = 4;  // leaf-spine
  double oversubscription = 1.0;   // leaf-spine: host bandwidth / uplink bandwidth per leaf
  uint32_t senders = 2;            // dumbbell / incast
  double host_gbps = 100.0;        // host <-> ToR links
  double fabric_gbps = 100.0;      // ToR <-> aggregation (fat-tree); bottleneck (dumbbell)
  double core_gbps = 100.0;        // aggregation <-> core (fat-tree)
  double host_delay_ns = 1000.0;   // propagation delay per tier, ns
  double fabric_delay_ns = 1000.0;
  double core_delay_ns = 1000.0;
  // A host NIC starts a frame after an idle period a random 0..host_tx_jitter_ns later (doorbell, DMA
  // and scheduling latency vary in a real host). Without it every closed loop in a deterministic
  // simulation keeps a fixed phase against the bottleneck's departures, and a threshold marker then
  // favours one flow over another by where its frames fall in the frame time (Floyd & Jacobson's
  // traffic phase effects): see docs/network.md.
  double host_tx_jitter_ns = 1000.0;
  double corrupt_probability = 0.0;  // per frame on every link
  std::string pswitches = "none";  // which switches carry an accelerator: none | all | tor | agg | core
  std::string lookahead = "auto";  // the event list's lookahead: auto (by port count) | on | off
  int64_t seed = 1;
  // custom: hosts h0.., switches s0.., and an explicit link list {a, b, gbps, delay_ns, a_port?, b_port?,
  // ecn_k?} (ecn_k: the ECN threshold of the egress ports at the link's switch ends).
  uint32_t custom_hosts = 0, custom_switches = 0;
  std::vector<std::map<std::string, std::string>> links;
  SwitchConfig sw;

  void register_params(ConfigRegistry& reg, const std::string& prefix = "topology");
  // Cross-field checks and the size limits of docs/input-limits.md; a custom topology's links are checked
  // in full (custom_links), all before anything is built.
  void validate() const;
  // Hosts the configuration builds (known before the fabric is built, e.g. to check a job mix).
  uint32_t host_count() const;
  TopologySize size() const;
  // Whether switches of `tier` (0 = ToR / leaf, 1 = aggregation / spine, 2 = core) carry an accelerator.
  bool pswitch_tier(uint8_t tier) const;
  // custom: the link list typed and checked: canonical node names (h<n>, s<n>) that exist, numbers in
  // range, explicit ports that are the next free ones, at most 64 ports a switch and one link a host.
  std::vector<CustomLink> custom_links() const;
};

class Fabric : public sc_core::sc_module {
 public:
  // `accel` configures the accelerators of the PSwitches (topology.pswitches); its port count and
  // rate follow each switch.
  Fabric(const sc_core::sc_module_name& name, const TopologyConfig& cfg, const AcceleratorConfig& accel = {},
         PacketPool& pool = PacketPool::instance());

  EventQueue events;
  NetContext ctx;
  std::vector<std::unique_ptr<Host>> hosts;
  std::vector<std::unique_ptr<Switch>> switches;
  std::vector<std::unique_ptr<Link>> links;
  std::vector<uint8_t> switch_tier;  // 0 = ToR / leaf, 1 = aggregation / spine, 2 = core

  const TopologyConfig& config() const { return cfg_; }
  // Analytic bisection bandwidth of the chosen topology type, Gbps.
  double bisection_gbps() const { return bisection_gbps_; }
  nlohmann::json summary() const;
  std::string to_dot() const;
  double build_seconds() const { return build_s_; }

  // Fabrics with at least this many ports turn on the event list's lookahead (see the constructor).
  static constexpr size_t kLookaheadPorts = 2048;

  // Counters over the whole fabric.
  uint64_t total_drops() const;
  uint64_t lossless_drops() const;

 private:
  Switch& add_switch(uint8_t tier);
  Host& add_host();
  void connect(NetNode& a, NetNode& b, double gbps, double delay_ns);
  void build_fat_tree();
  void build_leaf_spine();
  void build_dumbbell();
  void build_incast();
  void build_custom();
  void check_connected() const;
  void compute_routes();

  TopologyConfig cfg_;
  AcceleratorConfig accel_;
  std::vector<NetNode*> nodes_;  // hosts and switches in creation order (node id = index)
  std::vector<bool> is_host_;
  double bisection_gbps_ = 0;
  double build_s_ = 0;
};

}  // namespace panama
