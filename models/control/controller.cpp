#include "control/controller.h"

#include "common/config.h"

#include <algorithm>
#include <deque>
#include <set>

namespace panama {

void ControllerConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add(p + ".max_trees", &max_trees, "aggregation trees per job", 1, 64);
  reg.add(p + ".threshold_mb", &threshold_mb, "smallest gradient (reduce) size aggregated in the network, MB", 0.0,
          1e6);
}

Controller::Controller(Fabric& fabric, const ControllerConfig& cfg) : f_(fabric), cfg_(cfg) {}

namespace {
// The switch a host is cabled to, and the port of that switch facing the host.
std::pair<Switch*, uint32_t> tor_of(Host& h) {
  const Link& l = h.port(0).link();
  return {static_cast<Switch*>(&l.peer_of(&h)), l.peer_port_of(&h)};
}
}  // namespace

std::vector<uint32_t> Controller::candidate_roots(const std::vector<uint32_t>& workers) const {
  std::map<const NetNode*, uint32_t> index;  // node -> switch index
  for (uint32_t i = 0; i < f_.switches.size(); ++i) index[f_.switches[i].get()] = i;
  std::set<uint32_t> tors;
  for (uint32_t w : workers) tors.insert(index.at(tor_of(*f_.hosts[w]).first));
  if (tors.size() == 1) return {*tors.begin()};  // one rack: a single ToR tree

  // The lowest tier whose switches reach every worker's ToR going strictly down.
  const uint8_t top = *std::max_element(f_.switch_tier.begin(), f_.switch_tier.end());
  for (uint8_t tier = 1; tier <= top; ++tier) {
    std::vector<uint32_t> roots;
    for (uint32_t s = 0; s < f_.switches.size(); ++s) {
      if (f_.switch_tier[s] != tier) continue;
      std::set<uint32_t> seen{s};
      std::deque<uint32_t> q{s};
      while (!q.empty()) {
        Switch& u = *f_.switches[q.front()];
        const uint8_t tu = f_.switch_tier[q.front()];
        q.pop_front();
        for (uint32_t p = 0; p < u.num_ports(); ++p) {
          auto it = index.find(&u.port(p).link().peer_of(&u));
          if (it == index.end() || f_.switch_tier[it->second] >= tu || !seen.insert(it->second).second) continue;
          q.push_back(it->second);
        }
      }
      if (std::all_of(tors.begin(), tors.end(), [&](uint32_t t) { return seen.count(t) != 0; })) roots.push_back(s);
    }
    if (!roots.empty()) return roots;
  }
  // Flat topologies (dumbbell, custom): any switch; the tree is a shortest-path tree.
  std::vector<uint32_t> all(f_.switches.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

bool Controller::build_tree(uint32_t root, const std::vector<uint32_t>& workers, TreePlan& t) const {
  std::map<const NetNode*, uint32_t> index;
  for (uint32_t i = 0; i < f_.switches.size(); ++i) index[f_.switches[i].get()] = i;
  const bool tiered = f_.switch_tier[root] > 0;
  // BFS from the root (downward only in a tiered fabric): parent switch and ports of every switch reached.
  struct Up {
    int parent = -1;
    uint32_t port_to_parent = 0, parent_port_to_me = 0;
    bool seen = false;
  };
  std::vector<Up> up(f_.switches.size());
  up[root].seen = true;
  std::deque<uint32_t> q{root};
  while (!q.empty()) {
    const uint32_t s = q.front();
    q.pop_front();
    Switch& u = *f_.switches[s];
    for (uint32_t p = 0; p < u.num_ports(); ++p) {
      const Link& l = u.port(p).link();
      auto it = index.find(&l.peer_of(&u));
      if (it == index.end() || up[it->second].seen) continue;
      if (tiered && f_.switch_tier[it->second] >= f_.switch_tier[s]) continue;
      up[it->second] = Up{int(s), l.peer_port_of(&u), p, true};
      q.push_back(it->second);
    }
  }
  std::map<uint32_t, TreePlan::Node> nodes;
  for (uint32_t w : workers) {
    auto [tor, port] = tor_of(*f_.hosts[w]);
    uint32_t s = index.at(tor);
    if (!up[s].seen) return false;
    auto& n = nodes.emplace(s, TreePlan::Node{s, 0, -1}).first->second;
    n.children |= 1ull << port;
    while (s != root) {  // climb to the root, marking each branch once
      const Up& u = up[s];
      auto [it, fresh] = nodes.emplace(uint32_t(u.parent), TreePlan::Node{uint32_t(u.parent), 0, -1});
      it->second.children |= 1ull << u.parent_port_to_me;
      nodes.at(s).parent_port = int(u.port_to_parent);
      if (!fresh) break;  // the rest of the path is already on the tree
      s = uint32_t(u.parent);
    }
  }
  t.root = root;
  for (auto& [s, n] : nodes) t.nodes.push_back(n);
  return true;
}

JobPlan Controller::admit(uint16_t job, const std::vector<uint32_t>& workers, uint64_t gradient_bytes, ElementType type,
                          uint32_t trees) {
  JobPlan p;
  p.job = job;
  p.workers = workers;
  p.type = type;
  if (jobs_.count(job)) throw ConfigError("controller: job " + std::to_string(job) + " is already admitted");
  // A custom topology may cable hosts to each other: such a worker has no switch to aggregate in.
  const auto on_switch = [&](uint32_t w) { return dynamic_cast<Switch*>(&f_.hosts[w]->port(0).link().peer_of(f_.hosts[w].get())); };
  if (workers.size() < 2) p.fallback_reason = "fewer than two workers";
  else if (!std::all_of(workers.begin(), workers.end(), on_switch)) p.fallback_reason = "a worker's host is not cabled to a switch";
  else if (double(gradient_bytes) < cfg_.threshold_mb * 1e6)
    p.fallback_reason = "reduce of " + std::to_string(gradient_bytes) + " B is below controller.threshold_mb";
  if (!p.fallback_reason.empty()) return p;

  std::vector<uint32_t> roots = candidate_roots(workers);
  const uint32_t want = std::min<uint32_t>(trees ? trees : cfg_.max_trees, uint32_t(roots.size()));
  // Spread the roots over the candidates (distinct top-tier switches), starting at a job-dependent one
  // so that concurrent jobs do not all pile on the same root.
  for (uint32_t i = 0; i < want; ++i) {
    TreePlan t;
    t.tree = uint8_t(i);
    t.group = group_address(job, t.tree);
    const uint32_t root = roots[(job + size_t(i) * roots.size() / want) % roots.size()];
    if (!build_tree(root, workers, t)) {
      p.fallback_reason = "no tree from switch " + std::to_string(root) + " reaches every worker";
      p.trees.clear();
      return p;
    }
    p.trees.push_back(std::move(t));
  }
  p.fallback_reason = install(p);
  if (!p.fallback_reason.empty()) {
    p.trees.clear();
    return p;
  }
  for (TreePlan& t : p.trees) {
    t.per_tree_slots = 0xffff;
    for (const TreePlan::Node& n : t.nodes)
      t.per_tree_slots = std::min(t.per_tree_slots,
                                  dynamic_cast<PSwitch&>(*f_.switches[n.sw]).accelerator().tree_slots(job));
  }
  p.aggregated = true;
  jobs_[job] = p;
  return p;
}

std::string Controller::install(const JobPlan& p) {
  // Gather each switch's trees, then install the job once per accelerator.
  std::map<uint32_t, JobSpec> specs;
  for (const TreePlan& t : p.trees)
    for (const TreePlan::Node& n : t.nodes) {
      JobSpec& js = specs[n.sw];
      js.job = p.job;
      js.type = p.type;
      const bool root = n.parent_port < 0;
      js.trees.push_back(TreeSpec{t.tree, n.children, root, root ? 0u : uint32_t(n.parent_port),
                                  root ? n.children : 0ull, t.group});
    }
  std::vector<uint32_t> done;
  for (auto& [sw, js] : specs) {
    auto* ps = dynamic_cast<PSwitch*>(f_.switches[sw].get());
    std::string why;
    if (!ps) why = "switch " + std::string(f_.switches[sw]->basename()) + " has no accelerator";
    else if (!ps->accelerator().install_job(js))
      why = "accelerator of " + std::string(ps->basename()) + " holds no free job context (accelerator.max_jobs)";
    if (!why.empty()) {
      for (uint32_t d : done) dynamic_cast<PSwitch&>(*f_.switches[d]).accelerator().remove_job(p.job);
      return why;
    }
    done.push_back(sw);
  }
  for (const TreePlan& t : p.trees)
    for (const TreePlan::Node& n : t.nodes) f_.switches[n.sw]->install_multicast(t.group, n.parent_port, n.children);
  return "";
}

void Controller::release(uint16_t job) {
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return;
  std::set<uint32_t> sws;
  for (const TreePlan& t : it->second.trees)
    for (const TreePlan::Node& n : t.nodes) {
      f_.switches[n.sw]->remove_multicast(t.group);
      sws.insert(n.sw);
    }
  for (uint32_t s : sws) dynamic_cast<PSwitch&>(*f_.switches[s]).accelerator().remove_job(job);
  jobs_.erase(it);
}

const JobPlan* Controller::plan(uint16_t job) const {
  auto it = jobs_.find(job);
  return it == jobs_.end() ? nullptr : &it->second;
}

}  // namespace panama
