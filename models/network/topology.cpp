#include "network/topology.h"

#include "common/config.h"
#include "common/limits.h"
#include "network/pswitch.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <sstream>

namespace panama {

namespace {
struct NodeRef {
  bool host;
  uint32_t index;
};

// A node name as the builder names nodes: h<n> or s<n>, n in decimal without a sign, spaces or leading
// zeros, so that one node has one name (h1, not h01 or 'h +1').
NodeRef node_name(const std::string& key, const std::string& v, const std::string& origin) {
  bool ok = v.size() >= 2 && v.size() <= 10 && (v[0] == 'h' || v[0] == 's') && (v[1] != '0' || v.size() == 2);
  for (size_t i = 1; ok && i < v.size(); ++i) ok = v[i] >= '0' && v[i] <= '9';
  if (!ok)
    throw ConfigError("invalid value '" + v + "' for key '" + key + "' (" + origin +
                      "): expected a node name h<n> (host) or s<n> (switch), n without leading zeros");
  return {v[0] == 'h', uint32_t(std::stoul(v.substr(1)))};
}

struct LinkFields {
  NodeRef a, b;
  double gbps, delay_ns;
  int64_t a_port = -1, b_port = -1;  // -1: not given
  uint32_t ecn_k = 0;                // 0: not given (the switches' topology.switch.ecn_k_packets)
};

// One record of topology.links, typed (rates and delays in the ranges of the topology's own keys).
LinkFields link_fields(const ConfigRegistry::Row& r, size_t i, const std::string& origin) {
  const std::string p = "topology.links[" + std::to_string(i) + "].";
  LinkFields l{node_name(p + "a", r.at("a"), origin), node_name(p + "b", r.at("b"), origin),
               config_number(p + "gbps", r.at("gbps"), origin, 0.001, 1600.0),
               config_number(p + "delay_ns", r.at("delay_ns"), origin, 0.0, 1e9)};
  if (r.count("a_port")) l.a_port = config_int(p + "a_port", r.at("a_port"), origin, 0, limits::kSwitchPorts - 1);
  if (r.count("b_port")) l.b_port = config_int(p + "b_port", r.at("b_port"), origin, 0, limits::kSwitchPorts - 1);
  // The range of topology.switch.ecn_k_packets.
  if (r.count("ecn_k")) l.ecn_k = uint32_t(config_int(p + "ecn_k", r.at("ecn_k"), origin, 1, 1 << 20));
  return l;
}
}  // namespace

void TopologyConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add_choice(p + ".type", &type, "topology type", {"fat_tree", "leaf_spine", "dumbbell", "incast", "custom"});
  reg.add(p + ".custom_hosts", &custom_hosts, "custom: hosts h0..h(n-1)", 0, 1 << 20);
  reg.add(p + ".custom_switches", &custom_switches, "custom: switches s0..s(n-1)", 0, 1 << 20);
  reg.add_table(p + ".links", &links, "custom: links between named nodes; ports numbered in list order",
                {"a", "b", "gbps", "delay_ns"}, {"a_port", "b_port", "ecn_k"}, SIZE_MAX,
                [](const ConfigRegistry::Row& r, size_t i, const std::string& origin) { link_fields(r, i, origin); });
  reg.add(p + ".k", &k, "fat-tree arity (even): k pods, k^3/4 hosts", 2, 64);
  reg.add(p + ".leaves", &leaves, "leaf-spine: leaf switches", 1, 1024);
  reg.add(p + ".spines", &spines, "leaf-spine: spine switches", 1, 1024);
  reg.add(p + ".hosts_per_leaf", &hosts_per_leaf, "leaf-spine: hosts per leaf", 1, 1024);
  reg.add(p + ".oversubscription", &oversubscription, "leaf-spine: host bandwidth / uplink bandwidth per leaf", 0.1,
          64.0);
  reg.add(p + ".senders", &senders, "dumbbell / incast: sending hosts", 1, 4096);
  reg.add(p + ".host_gbps", &host_gbps, "host link rate, Gbps", 0.001, 1600.0);
  reg.add(p + ".fabric_gbps", &fabric_gbps, "ToR-aggregation rate (fat-tree) or bottleneck rate (dumbbell), Gbps",
          0.001, 1600.0);
  reg.add(p + ".core_gbps", &core_gbps, "aggregation-core rate (fat-tree), Gbps", 0.001, 1600.0);
  reg.add(p + ".host_delay_ns", &host_delay_ns, "host link propagation delay, ns", 0.0, 1e9);
  reg.add(p + ".fabric_delay_ns", &fabric_delay_ns, "fabric link propagation delay, ns", 0.0, 1e9);
  reg.add(p + ".core_delay_ns", &core_delay_ns, "core link propagation delay, ns", 0.0, 1e9);
  reg.add(p + ".host_tx_jitter_ns", &host_tx_jitter_ns,
          "a host NIC starts a frame after an idle period a random 0..this later, ns (breaks traffic phase effects)",
          0.0, 1e6);
  reg.add(p + ".corrupt_probability", &corrupt_probability, "probability a frame is corrupted on a link", 0.0, 1.0);
  reg.add_choice(p + ".lookahead", &lookahead,
                 "event-list lookahead (speed only, no result changes): auto = on from 2048 ports", {"auto", "on", "off"});
  reg.add_choice(p + ".pswitches", &pswitches, "switches with an aggregation accelerator",
                 {"none", "all", "tor", "agg", "core"});
  reg.add(p + ".seed", &seed, "random seed of the fabric's link corruption draws (ECMP: switch.ecmp_seed)", 0,
          INT64_MAX);
  sw.register_params(reg, p + ".switch");
}

void TopologyConfig::validate() const {
  config_require(type != "fat_tree" || k % 2 == 0, "topology.k", "must be even for a fat-tree");
  config_require(type != "fat_tree" || k <= 64, "topology.k", "must be at most 64 (multicast port masks)");
  config_require(type != "leaf_spine" || hosts_per_leaf + spines <= 64, "topology.hosts_per_leaf",
                 "plus topology.spines must be at most 64 ports per leaf");
  config_require(type != "leaf_spine" || leaves <= 64, "topology.leaves",
                 "must be at most 64: every spine has a port per leaf (multicast port masks)");
  config_require(type != "incast" || senders + 1 <= 64, "topology.senders", "must be at most 63 for incast");
  config_require(type != "dumbbell" || senders + 1 <= 64, "topology.senders", "must be at most 63 for a dumbbell");
  config_require(type != "custom" || !links.empty(), "topology.links", "must list the links of a custom topology");
  config_require(type != "custom" || custom_hosts >= 1, "topology.custom_hosts", "must be at least 1");
  sw.validate("topology.switch");
  // Size: nodes, and the route computation (one BFS per destination host over every switch port).
  const TopologySize n = size();
  const std::string key = type == "fat_tree" ? "topology.k" : type == "leaf_spine" ? "topology.leaves"
                          : type == "custom"   ? "topology.custom_hosts" : "topology.senders";
  config_require(n.hosts + n.switches <= limits::kTopologyNodes, key,
                 "gives " + std::to_string(n.hosts) + " hosts and " + std::to_string(n.switches) + " switches; at most " +
                     std::to_string(limits::kTopologyNodes) + " nodes (docs/input-limits.md)");
  const double work = double(n.hosts) * double(n.switch_ports);
  config_require(work <= limits::kRouteWork, key,
                 "gives " + std::to_string(n.hosts) + " hosts and " + std::to_string(n.switch_ports) +
                     " switch ports: routing them (hosts x switch ports = " + std::to_string(uint64_t(work)) +
                     ") is beyond the limit of " + std::to_string(uint64_t(limits::kRouteWork)) +
                     " (a k = 32 fat-tree, ~20 s to build; docs/input-limits.md)");
  if (type == "custom") custom_links();
}

uint32_t TopologyConfig::host_count() const {
  if (type == "fat_tree") return k * k * k / 4;
  if (type == "leaf_spine") return leaves * hosts_per_leaf;
  if (type == "dumbbell") return 2 * senders;
  if (type == "incast") return senders + 1;
  return custom_hosts;
}

bool TopologyConfig::pswitch_tier(uint8_t tier) const {
  return pswitches == "all" || (pswitches == "tor" && tier == 0) || (pswitches == "agg" && tier == 1) ||
         (pswitches == "core" && tier == 2);
}

TopologySize TopologyConfig::size() const {
  TopologySize s;
  s.hosts = host_count();
  // Switches of one tier: `count` of them with `ports` ports each.
  auto tier = [&](uint8_t t, uint64_t count, uint64_t ports) {
    s.switches += count;
    s.switch_ports += count * ports;
    if (pswitch_tier(t)) s.pswitches += count;
    if (count) s.max_switch_ports = std::max(s.max_switch_ports, ports);
  };
  if (type == "fat_tree") {
    tier(0, uint64_t(k) * (k / 2), k);
    tier(1, uint64_t(k) * (k / 2), k);
    tier(2, uint64_t(k / 2) * (k / 2), k);
  } else if (type == "leaf_spine") {
    tier(0, leaves, uint64_t(hosts_per_leaf) + spines);
    tier(1, spines, leaves);
  } else if (type == "dumbbell") {
    tier(0, 2, uint64_t(senders) + 1);
  } else if (type == "incast") {
    tier(0, 1, uint64_t(senders) + 1);
  } else {  // custom: the links' switch ends, spread over the switches as listed
    uint64_t ends = 0;
    for (const auto& r : links) ends += (r.count("a") && r.at("a")[0] == 's') + (r.count("b") && r.at("b")[0] == 's');
    tier(0, custom_switches, 0);
    s.switch_ports = ends;
  }
  return s;
}

std::vector<CustomLink> TopologyConfig::custom_links() const {
  std::vector<uint32_t> host_ports(custom_hosts, 0), switch_ports(custom_switches, 0);
  auto name = [](const NodeRef& n) { return (n.host ? "h" : "s") + std::to_string(n.index); };
  std::vector<CustomLink> out;
  for (size_t i = 0; i < links.size(); ++i) {
    const std::string where = "topology.links[" + std::to_string(i) + "]";
    const LinkFields f = link_fields(links[i], i, where);
    for (const NodeRef& n : {f.a, f.b})
      if (n.index >= (n.host ? custom_hosts : custom_switches))
        throw ConfigError("invalid topology: " + where + " names unknown node '" + name(n) + "' (hosts h0..h" +
                          std::to_string(int64_t(custom_hosts) - 1) + ", switches s0..s" +
                          std::to_string(int64_t(custom_switches) - 1) + ")");
    if (f.a.host == f.b.host && f.a.index == f.b.index)
      throw ConfigError("invalid topology: " + where + " connects a node to itself");
    // An explicit port must be the next free one: a port already wired is "used twice".
    for (auto [n, want] : {std::pair<NodeRef, int64_t>{f.a, f.a_port}, {f.b, f.b_port}}) {
      uint32_t& next = n.host ? host_ports[n.index] : switch_ports[n.index];
      const std::string who = name(n) + ":" + std::to_string(want);
      if (want >= 0 && want < next) throw ConfigError("invalid topology: port " + who + " used twice (" + where + ")");
      if (want >= 0 && want != next)
        throw ConfigError("invalid topology: port " + who + " in " + where +
                          " skips ports; ports are numbered in the order links are listed (next is " +
                          std::to_string(next) + ")");
      if (++next > (n.host ? 1 : limits::kSwitchPorts))
        throw ConfigError("invalid topology: " + where + " gives " + name(n) + " a port " + std::to_string(next) +
                          (n.host ? "; a host has exactly one link"
                                  : "; a switch has at most 64 ports (multicast port masks are 64 bits)"));
    }
    out.push_back(CustomLink{f.a.host, f.b.host, f.a.index, f.b.index, f.gbps, f.delay_ns, f.ecn_k});
  }
  for (uint32_t h = 0; h < custom_hosts; ++h)
    if (host_ports[h] != 1)
      throw ConfigError("invalid topology: host h" + std::to_string(h) + " has " + std::to_string(host_ports[h]) +
                        " links; a host has exactly one");
  return out;
}

Fabric::Fabric(const sc_core::sc_module_name& name, const TopologyConfig& cfg, const AcceleratorConfig& accel,
               PacketPool& pool)
    : sc_module(name), events("events"), ctx(events, pool, uint64_t(cfg.seed)), cfg_(cfg), accel_(accel) {
  cfg_.validate();
  const auto t0 = std::chrono::steady_clock::now();
  if (cfg.type == "fat_tree") build_fat_tree();
  else if (cfg.type == "leaf_spine") build_leaf_spine();
  else if (cfg.type == "dumbbell") build_dumbbell();
  else if (cfg.type == "incast") build_incast();
  else build_custom();
  if (hosts.size() != cfg_.host_count()) throw std::logic_error("TopologyConfig::host_count disagrees with the builder");
  // Aggregation (lossless) traffic exists only where accelerators are: only then is a reserve kept.
  const bool lossless = std::any_of(switches.begin(), switches.end(),
                                    [](const std::unique_ptr<Switch>& s) { return dynamic_cast<PSwitch*>(s.get()); });
  for (auto& s : switches) {
    s->set_carries_lossless(lossless);
    s->finalize_ports();
  }
  // Host NICs schedule their classes like the switches (DRR by default): with strict priority a host
  // running a PANAMA worker would hold back its own short TCP flows for as long as its window lasts.
  // A host NIC keeps per-class queues (pure ACKs, aggregation, data): round robin between them unless
  // the fabric is set to strict priority (fifo is a switch queue discipline; a NIC sending its own ACKs
  // behind its own bulk data would slow the flows it receives).
  const Scheduler host_sched = cfg_.sw.scheduler == "strict" ? Scheduler::strict_priority : Scheduler::deficit_round_robin;
  for (auto& h : hosts) {
    h->port(0).set_scheduler(host_sched, cfg_.sw.drr_quantum_bytes);
    // Each NIC its own stream of start latencies, from the fabric's seed and the host's id.
    h->port(0).set_start_jitter(ps_t(cfg_.host_tx_jitter_ns * 1e3 + 0.5),
                                uint64_t(cfg_.seed) * 0x9E3779B97F4A7C15ull ^ (uint64_t(h->id()) + 1) * 0xD1B54A32D192ED03ull);
  }
  check_connected();
  compute_routes();
  // The event list's lookahead (EventQueue::set_lookahead) pays once the ports' state (about 0.8 KB
  // each, plus their queues) is well beyond a core's 1 MiB L2: +29 % at k = 16 (6144 ports), -4 % at
  // k = 8 (768 ports), where everything stays cached. It changes no result (topology.lookahead
  // forces it on or off).
  size_t ports = 0;
  for (auto& h : hosts) ports += h->num_ports();
  for (auto& s : switches) ports += s->num_ports();
  events.set_lookahead(cfg_.lookahead == "on" || (cfg_.lookahead == "auto" && ports >= kLookaheadPorts));
  build_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Switch& Fabric::add_switch(uint8_t tier) {
  const uint32_t id = uint32_t(nodes_.size());
  const std::string name = "s" + std::to_string(switches.size());
  if (cfg_.pswitch_tier(tier)) switches.push_back(std::make_unique<PSwitch>(name.c_str(), ctx, id, cfg_.sw, accel_));
  else switches.push_back(std::make_unique<Switch>(name.c_str(), ctx, id, cfg_.sw));
  switch_tier.push_back(tier);
  nodes_.push_back(switches.back().get());
  return *switches.back();
}

Host& Fabric::add_host() {
  const uint32_t id = uint32_t(nodes_.size());
  hosts.push_back(std::make_unique<Host>(("h" + std::to_string(hosts.size())).c_str(), ctx, id, uint32_t(hosts.size())));
  nodes_.push_back(hosts.back().get());
  is_host_.resize(nodes_.size(), false);
  is_host_[id] = true;
  return *hosts.back();
}

void Fabric::connect(NetNode& a, NetNode& b, double gbps, double delay_ns) {
  LinkParams p;
  p.gbps = gbps;
  p.delay_ps = ps_t(delay_ns * 1000.0 + 0.5);
  p.corrupt_probability = cfg_.corrupt_probability;
  links.push_back(std::make_unique<Link>(a, b, p));
}

void Fabric::build_fat_tree() {
  // Al-Fares et al. 2008: k pods of k/2 edge and k/2 aggregation switches, (k/2)^2 core switches,
  // k/2 hosts per edge switch. Ports of each switch are numbered down-links first.
  const uint32_t k = cfg_.k, h = k / 2;
  std::vector<Switch*> edge, agg, core;
  for (uint32_t i = 0; i < h * h; ++i) core.push_back(&add_switch(2));
  for (uint32_t pod = 0; pod < k; ++pod) {
    for (uint32_t i = 0; i < h; ++i) edge.push_back(&add_switch(0));
    for (uint32_t i = 0; i < h; ++i) agg.push_back(&add_switch(1));
  }
  for (uint32_t pod = 0; pod < k; ++pod)
    for (uint32_t e = 0; e < h; ++e)
      for (uint32_t i = 0; i < h; ++i) connect(add_host(), *edge[pod * h + e], cfg_.host_gbps, cfg_.host_delay_ns);
  for (uint32_t pod = 0; pod < k; ++pod)
    for (uint32_t e = 0; e < h; ++e)
      for (uint32_t a = 0; a < h; ++a) connect(*edge[pod * h + e], *agg[pod * h + a], cfg_.fabric_gbps, cfg_.fabric_delay_ns);
  for (uint32_t pod = 0; pod < k; ++pod)
    for (uint32_t a = 0; a < h; ++a)
      for (uint32_t c = 0; c < h; ++c) connect(*agg[pod * h + a], *core[a * h + c], cfg_.core_gbps, cfg_.core_delay_ns);
  const double hosts_n = double(k) * k * k / 4;
  // Half of each tier's links cross a bisection: k h^2 / 2 edge-aggregation and aggregation-core links.
  bisection_gbps_ = std::min({hosts_n / 2 * cfg_.host_gbps, double(k) * h * h / 2 * cfg_.fabric_gbps,
                              double(k) * h * h / 2 * cfg_.core_gbps});
}

void Fabric::build_leaf_spine() {
  std::vector<Switch*> leaf, spine;
  for (uint32_t i = 0; i < cfg_.spines; ++i) spine.push_back(&add_switch(1));
  for (uint32_t i = 0; i < cfg_.leaves; ++i) leaf.push_back(&add_switch(0));
  for (uint32_t l = 0; l < cfg_.leaves; ++l)
    for (uint32_t i = 0; i < cfg_.hosts_per_leaf; ++i) connect(add_host(), *leaf[l], cfg_.host_gbps, cfg_.host_delay_ns);
  // Uplink rate from the oversubscription ratio: hosts_per_leaf x host rate = ratio x spines x uplink.
  const double uplink = cfg_.hosts_per_leaf * cfg_.host_gbps / (cfg_.spines * cfg_.oversubscription);
  for (uint32_t l = 0; l < cfg_.leaves; ++l)
    for (uint32_t s = 0; s < cfg_.spines; ++s) connect(*leaf[l], *spine[s], uplink, cfg_.fabric_delay_ns);
  bisection_gbps_ = std::min(double(cfg_.leaves) * cfg_.hosts_per_leaf * cfg_.host_gbps / 2,
                             double(cfg_.leaves) / 2 * cfg_.spines * uplink);
}

void Fabric::build_dumbbell() {
  Switch& left = add_switch(0);
  Switch& right = add_switch(0);
  for (uint32_t i = 0; i < cfg_.senders; ++i) connect(add_host(), left, cfg_.host_gbps, cfg_.host_delay_ns);
  for (uint32_t i = 0; i < cfg_.senders; ++i) connect(add_host(), right, cfg_.host_gbps, cfg_.host_delay_ns);
  connect(left, right, cfg_.fabric_gbps, cfg_.fabric_delay_ns);
  bisection_gbps_ = cfg_.fabric_gbps;
}

void Fabric::build_incast() {
  Switch& sw = add_switch(0);
  for (uint32_t i = 0; i < cfg_.senders + 1; ++i) connect(add_host(), sw, cfg_.host_gbps, cfg_.host_delay_ns);
  bisection_gbps_ = cfg_.host_gbps;  // everything converges on the receiver's link
}

void Fabric::build_custom() {
  // Hosts first (their node ids are their host indices), then switches, then the listed links.
  for (uint32_t i = 0; i < cfg_.custom_hosts; ++i) add_host();
  for (uint32_t i = 0; i < cfg_.custom_switches; ++i) add_switch(0);
  // The links, checked by validate() (custom_links) before anything was built.
  for (const CustomLink& l : cfg_.custom_links()) {
    NetNode& a = l.a_host ? static_cast<NetNode&>(*hosts[l.a]) : *switches[l.a];
    NetNode& b = l.b_host ? static_cast<NetNode&>(*hosts[l.b]) : *switches[l.b];
    connect(a, b, l.gbps, l.delay_ns);
    // A per-link K: the marking threshold of the egress port at each switch end of this link.
    if (l.ecn_k) {
      if (!l.a_host) switches[l.a]->set_port_ecn_k(links.back()->port_a(), l.ecn_k);
      if (!l.b_host) switches[l.b]->set_port_ecn_k(links.back()->port_b(), l.ecn_k);
    }
  }
  bisection_gbps_ = 0;  // not derived for arbitrary graphs
}

void Fabric::check_connected() const {
  if (nodes_.empty()) throw ConfigError("invalid configuration: 'topology' builds no node");
  std::vector<bool> seen(nodes_.size(), false);
  std::deque<uint32_t> q{0};
  seen[0] = true;
  while (!q.empty()) {
    NetNode* n = nodes_[q.front()];
    q.pop_front();
    for (uint32_t p = 0; p < n->num_ports(); ++p) {
      const uint32_t m = n->port(p).link().peer_of(n).id();
      if (!seen[m]) {
        seen[m] = true;
        q.push_back(m);
      }
    }
  }
  for (size_t i = 0; i < seen.size(); ++i)
    if (!seen[i]) throw ConfigError("invalid topology: node " + std::string(nodes_[i]->name()) + " is disconnected");
}

void Fabric::compute_routes() {
  // For each destination host, a BFS outwards gives every switch its hop distance; the equal-cost next
  // hops are the ports whose neighbour is one hop closer. Hosts never forward, so BFS does not expand them.
  const size_t n = nodes_.size();
  std::vector<uint32_t> dist(n);
  std::vector<uint32_t> q(n);
  std::vector<uint16_t> ports;
  for (const auto& dst : hosts) {
    std::fill(dist.begin(), dist.end(), UINT32_MAX);
    size_t head = 0, tail = 0;
    dist[dst->id()] = 0;
    q[tail++] = dst->id();
    while (head < tail) {
      NetNode* u = nodes_[q[head++]];
      if (u != dst.get() && u->id() < is_host_.size() && is_host_[u->id()]) continue;
      for (uint32_t p = 0; p < u->num_ports(); ++p) {
        const uint32_t v = u->port(p).link().peer_of(u).id();
        if (dist[v] == UINT32_MAX) {
          dist[v] = dist[u->id()] + 1;
          q[tail++] = v;
        }
      }
    }
    for (auto& s : switches) {
      ports.clear();
      for (uint32_t p = 0; p < s->num_ports(); ++p)
        if (dist[s->port(p).link().peer_of(s.get()).id()] + 1 == dist[s->id()]) ports.push_back(uint16_t(p));
      s->set_route(dst->index(), ports);
    }
  }
}

nlohmann::json Fabric::summary() const {
  uint64_t ports = 0;
  for (auto& s : switches) ports += s->num_ports();
  return nlohmann::json{{"type", cfg_.type},          {"scheduler", cfg_.sw.scheduler}, {"hosts", hosts.size()},
                        {"switches", switches.size()}, {"links", links.size()},
                        {"switch_ports", ports},        {"bisection_gbps", bisection_gbps_}};
}

std::string Fabric::to_dot() const {
  std::ostringstream os;
  os << "graph fabric {\n  node [shape=box];\n";
  for (size_t i = 0; i < switches.size(); ++i)
    os << "  " << switches[i]->basename() << " [label=\"" << switches[i]->basename() << "\\ntier " << int(switch_tier[i])
       << "\"];\n";
  for (auto& h : hosts) os << "  " << h->basename() << " [shape=ellipse];\n";
  for (auto& l : links)
    os << "  " << l->a().basename() << " -- " << l->b().basename() << " [label=\"" << l->params().gbps << "G\"];\n";
  os << "}\n";
  return os.str();
}

uint64_t Fabric::total_drops() const {
  uint64_t t = 0;
  for (auto& h : hosts) t += h->net_drops_total();
  for (auto& s : switches) {
    t += s->net_drops_total();
    if (auto* ps = dynamic_cast<const PSwitch*>(s.get())) t += ps->accelerator().stats().drops.total();
  }
  return t;
}

uint64_t Fabric::lossless_drops() const {
  uint64_t t = 0;
  for (auto& s : switches) t += s->net_drops(NetDrop::lossless_overflow);
  return t;
}

}  // namespace panama
