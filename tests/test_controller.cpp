// The PANAMA controller: tree choice, installation, admission and release on a 4-ary fat-tree of
// PSwitches. Switch indices of the k = 4 fat-tree (topology.cpp): cores 0-3 (tier 2), then per pod
// 2 edge and 2 aggregation switches (pod 0: edge 4, 5, aggregation 6, 7); hosts 0-1 hang off edge 4,
// hosts 2-3 off edge 5 (pod 0), hosts 4-5 off edge 8 (pod 1), ...
#define BOOST_TEST_MODULE controller
#include <boost/test/unit_test.hpp>

#include "common/config.h"
#include "control/controller.h"
#include "harness/isolated.h"

#include <set>

using namespace panama;
using nlohmann::json;

namespace {

TopologyConfig k4() {
  TopologyConfig t;
  t.k = 4;
  t.pswitches = "all";
  return t;
}

json plan_json(const JobPlan& p) {
  json trees = json::array();
  for (const auto& t : p.trees) {
    json nodes = json::array();
    for (const auto& n : t.nodes) nodes.push_back(json{{"sw", n.sw}, {"children", n.children}, {"parent", n.parent_port}});
    trees.push_back(json{{"root", t.root}, {"group", t.group}, {"nodes", nodes}, {"slots", t.per_tree_slots}});
  }
  return json{{"aggregated", p.aggregated}, {"reason", p.fallback_reason}, {"trees", trees}};
}

constexpr uint64_t kBig = 100'000'000;  // 100 MB of gradient: above the 40 MB threshold

}  // namespace

BOOST_AUTO_TEST_SUITE(controller)

BOOST_AUTO_TEST_CASE(one_rack_gets_a_single_tor_tree) {
  // Hosts 0 and 1 share edge switch 4: one tree, rooted there, whatever the tree budget.
  json j = run_isolated([] {
    Fabric f("fabric", k4());
    Controller c(f, ControllerConfig{});
    return plan_json(c.admit(1, {0, 1}, kBig));
  });
  BOOST_TEST(j["aggregated"].get<bool>());
  BOOST_TEST_REQUIRE(j["trees"].size() == 1u);
  BOOST_TEST(j["trees"][0]["root"].get<int>() == 4);
  BOOST_TEST_REQUIRE(j["trees"][0]["nodes"].size() == 1u);
  BOOST_TEST(j["trees"][0]["nodes"][0]["children"].get<uint64_t>() == 0b11u);  // ports 0, 1 face hosts 0, 1
}

BOOST_AUTO_TEST_CASE(trees_are_rooted_at_distinct_top_tier_switches) {
  // Within pod 0 (hosts 0-3): the lowest tier reaching both edges is aggregation: 2 roots (6, 7), so
  // at most 2 trees. Across pods (hosts 0 and 4): the core tier, 4 roots: 4 trees with distinct roots,
  // each with 5 switches (2 edges, 2 aggregations, 1 core).
  json j = run_isolated([] {
    Fabric f("fabric", k4());
    Controller c(f, ControllerConfig{});
    return json{{"pod", plan_json(c.admit(1, {0, 1, 2, 3}, kBig))}, {"cross", plan_json(c.admit(2, {0, 4}, kBig))}};
  });
  std::set<int> pod_roots, cross_roots;
  for (auto& t : j["pod"]["trees"]) pod_roots.insert(t["root"].get<int>());
  for (auto& t : j["cross"]["trees"]) {
    cross_roots.insert(t["root"].get<int>());
    BOOST_TEST(t["nodes"].size() == 5u);
  }
  BOOST_TEST((pod_roots == std::set<int>{6, 7}));
  BOOST_TEST((cross_roots == std::set<int>{0, 1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(small_reduces_and_full_accelerators_fall_back_and_leave_no_state) {
  // 10 MB < 40 MB: not aggregated. With accelerator.max_jobs = 1, a second job over the same edge
  // switch cannot be installed: it falls back, says which accelerator, and rolls back what it installed.
  json j = run_isolated([] {
    AcceleratorConfig a;
    a.max_jobs = 1;
    Fabric f("fabric", k4(), a);
    Controller c(f, ControllerConfig{});
    const JobPlan small = c.admit(1, {0, 4}, 10'000'000);
    const JobPlan first = c.admit(2, {0, 4}, kBig);
    const JobPlan second = c.admit(3, {1, 5}, kBig);
    uint32_t active = 0;
    for (auto& s : f.switches) active += dynamic_cast<PSwitch&>(*s).accelerator().active_jobs();
    c.release(2);
    uint32_t after = 0;
    for (auto& s : f.switches) after += dynamic_cast<PSwitch&>(*s).accelerator().active_jobs();
    return json{{"small", plan_json(small)}, {"first", plan_json(first)}, {"second", plan_json(second)},
                {"active", active}, {"after_release", after}};
  });
  BOOST_TEST(!j["small"]["aggregated"].get<bool>());
  BOOST_TEST(j["small"]["reason"].get<std::string>().find("threshold") != std::string::npos);
  BOOST_TEST(j["first"]["aggregated"].get<bool>());
  BOOST_TEST(!j["second"]["aggregated"].get<bool>());
  BOOST_TEST(j["second"]["reason"].get<std::string>().find("max_jobs") != std::string::npos);
  // Job 2's 4 trees cover 2 edges + 4 aggregations + 4 cores = 10 accelerators; job 3 left nothing.
  BOOST_TEST(j["active"].get<uint32_t>() == 10u);
  BOOST_TEST(j["after_release"].get<uint32_t>() == 0u);
}

BOOST_AUTO_TEST_CASE(per_tree_memory_is_the_share_split_over_trees) {
  // Default 1 MiB of 1472-byte slots = 712 slots; one job holds all of it; its 4 trees cross each edge
  // switch, so each tree gets 712 / 4 = 178 slots there (the smallest on every tree).
  json j = run_isolated([] {
    Fabric f("fabric", k4());
    Controller c(f, ControllerConfig{});
    return plan_json(c.admit(1, {0, 4}, kBig));
  });
  for (auto& t : j["trees"]) BOOST_TEST(t["slots"].get<uint32_t>() == 178u);
}

BOOST_AUTO_TEST_SUITE_END()
