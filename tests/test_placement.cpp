// Job placement policies (experiment/placement.h): packed (fewest racks), spread (strided), random (seeded).
#define BOOST_TEST_MODULE placement
#include <boost/test/unit_test.hpp>

#include "harness/isolated.h"
#include "experiment/placement.h"
#include "experiment/scenario.h"
#include "network/topology.h"

#include <set>

using namespace panama;
using Hosts = std::vector<std::vector<uint32_t>>;

namespace {
// `racks` racks of `per` hosts, hosts numbered rack by rack (as the fat-tree and leaf-spine builders do).
std::vector<uint32_t> racks_of(uint32_t racks, uint32_t per) {
  std::vector<uint32_t> r;
  for (uint32_t i = 0; i < racks * per; ++i) r.push_back(100 + i / per);
  return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(packed_fills_racks) {
  // Racks of 4: four jobs of 2 workers go two to a rack. Job 0 takes the first rack with the fewest
  // free hosts that holds it (all have 4: rack 0); job 1 then best-fits rack 0's remaining 2.
  BOOST_TEST((place_jobs("packed", racks_of(4, 4), {2, 2, 2, 2}, 1) == Hosts{{0, 1}, {2, 3}, {4, 5}, {6, 7}}));
  // Racks of 2: a job of 3 spans two racks (no rack holds it; the emptiest first); a job of 1 then
  // best-fits the rack with one free host (rack 1), not a fresh one; a job of 2 takes rack 2 whole.
  BOOST_TEST((place_jobs("packed", racks_of(4, 2), {3, 1, 2}, 1) == Hosts{{0, 1, 2}, {3}, {4, 5}}));
  // A job no rack holds: whole racks, the emptiest first. After {0} rack 0 has 3 free hosts, racks 1
  // and 2 have 4, so a job of 6 takes rack 1 (4..7) and then two of rack 2 (8, 9), not rack 0.
  BOOST_TEST((place_jobs("packed", racks_of(3, 4), {1, 6}, 1) == Hosts{{0}, {4, 5, 6, 7, 8, 9}}));
}

BOOST_AUTO_TEST_CASE(spread_strides_over_the_fabric) {
  // 16 hosts, 4 workers: stride 16 / 4 = 4 from the job's index.
  BOOST_TEST((place_jobs("spread", racks_of(8, 2), {4, 4}, 1) == Hosts{{0, 4, 8, 12}, {1, 5, 9, 13}}));
}

BOOST_AUTO_TEST_CASE(random_is_seeded_uniform_and_disjoint) {
  const auto racks = racks_of(8, 2);
  BOOST_TEST((place_jobs("random", racks, {4, 5}, 7) == place_jobs("random", racks, {4, 5}, 7)));
  // Over S seeds a job of 4 among 16 hosts picks each host with probability 4 / 16: expected count
  // S / 4 = 1000 for S = 4000, standard deviation sqrt(S x 1/4 x 3/4) = 27.4; allow 6 sigma.
  std::vector<int> count(16, 0);
  int differ = 0;
  for (uint64_t s = 0; s < 4000; ++s) {
    const Hosts h = place_jobs("random", racks, {4, 12}, s);
    std::set<uint32_t> all(h[0].begin(), h[0].end());
    all.insert(h[1].begin(), h[1].end());
    BOOST_TEST_REQUIRE(all.size() == 16u);  // every host once
    for (uint32_t x : h[0]) ++count[x];
    differ += h[0] != place_jobs("random", racks, {4, 12}, s + 1)[0];
  }
  for (int c : count) BOOST_TEST(std::abs(c - 1000) <= 165, c);
  BOOST_TEST(differ > 3900);  // C(16,4) = 1820 outcomes: consecutive seeds rarely agree
}

BOOST_AUTO_TEST_CASE(racks_are_the_hosts_switch) {
  const nlohmann::json racks = run_isolated([] {
    TopologyConfig t;
    t.type = "leaf_spine";
    t.leaves = 2;
    t.spines = 1;
    t.hosts_per_leaf = 3;
    Fabric f("fabric", t);
    return nlohmann::json(host_racks(f));
  });
  // Node ids: hosts are built after the switches (spine 0, leaves 1 and 2), 3 hosts a leaf.
  BOOST_TEST(racks.dump() == "[1,1,1,2,2,2]");
}

BOOST_AUTO_TEST_CASE(scenario_reports_hosts_and_racks) {
  // small-shared: 4 leaves of 4 hosts; two jobs of 4. Packed: one rack each; spread: stride 16 / 4 = 4
  // puts one worker on each leaf.
  const std::string file = std::string(PANAMA_SOURCE_DIR) + "/testbench/scenarios/small-shared.yaml";
  for (const std::string policy : {"packed", "spread"}) {
    const ScenarioConfig cfg = load_scenario(file, {"scenario.placement=" + policy, "scenario.duration_us=300"});
    const nlohmann::json s = run_isolated([&] { return run_scenario(cfg); });
    for (const auto& j : s["jobs"]) BOOST_TEST(j["racks"].get<int>() == (policy == "packed" ? 1 : 4));
  }
}
