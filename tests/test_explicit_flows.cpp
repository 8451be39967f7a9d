// Explicit flows of a scenario (`flows:`) and per-link ECN thresholds of custom topologies: the table's
// typing and refusals, the per-group goodput, fairness and completion figures against values derived
// from the link rate and the frame format, and the per-port K.
#define BOOST_TEST_MODULE explicit_flows
#include <boost/test/unit_test.hpp>

#include "support/scenario_files.h"
#include "experiment/explicit_flows.h"
#include "harness/isolated.h"
#include "experiment/scenario.h"
#include "network/topology.h"

#include <fstream>
#include <string>

using namespace panama;
using nlohmann::json;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  return test::write_temp("test_explicit_flows", name, text);
}
using test::error_of;

// Three hosts on one switch, 1 Gbps links of 16.667 us (base RTT of h0 -> h2: 4 x 16.667 us = 66.7 us
// plus serialisation). Every link's switch end marks at K = 20 frames while the switches' own K is
// 100000 (never reached in a 4 MiB buffer): any mark comes from the per-link K.
const std::string kStar = R"(
scenario:
  duration_us: 30000
  measure_from_us: 10000
  measure_to_us: 30000
  seed: 3
topology:
  type: custom
  custom_hosts: 3
  custom_switches: 1
  switch:
    buffer_kib: 4096
    pfc: false
    ecn_k_packets: 100000
  links:
    - {a: h0, b: s0, gbps: 1, delay_ns: 16667, ecn_k: 20}
    - {a: h1, b: s0, gbps: 1, delay_ns: 16667, ecn_k: 20}
    - {a: h2, b: s0, gbps: 1, delay_ns: 16667, ecn_k: 20}
)";

}  // namespace

BOOST_AUTO_TEST_CASE(flow_records_are_typed) {
  ConfigRegistry::Row r{{"src", "h1"}, {"dst", "h2"}, {"size_bytes", "infinite"}, {"group", "A-1"}};
  ExplicitFlow f = explicit_flow(r, 0, "t", 3);
  BOOST_TEST(f.src == 1u);
  BOOST_TEST(f.dst == 2u);
  BOOST_TEST(f.bytes == kInfiniteBytes);
  BOOST_TEST(f.start_us == 0.0);
  BOOST_TEST(f.group == "A-1");
  r = {{"src", "h0"}, {"dst", "h2"}, {"size_bytes", "1000"}, {"start_us", "12.5"}};
  f = explicit_flow(r, 4, "t", 3);
  BOOST_TEST(f.bytes == 1000u);
  BOOST_TEST(f.start_us == 12.5);
  BOOST_TEST(f.group == "flows");
  auto refused = [](ConfigRegistry::Row row, const std::string& fragment) {
    try {
      explicit_flow(row, 7, "t", 3);
    } catch (const ConfigError& e) {
      BOOST_TEST(std::string(e.what()).find(fragment) != std::string::npos, e.what() << " lacks " << fragment);
      return;
    }
    BOOST_TEST(false, "accepted a flow that should be refused: " << fragment);
  };
  refused({{"src", "h3"}, {"dst", "h0"}, {"size_bytes", "1"}}, "flows[7].src");      // no host h3
  refused({{"src", "h01"}, {"dst", "h0"}, {"size_bytes", "1"}}, "flows[7].src");     // not canonical
  refused({{"src", "s0"}, {"dst", "h0"}, {"size_bytes", "1"}}, "flows[7].src");      // a switch
  refused({{"src", "h1"}, {"dst", "h1"}, {"size_bytes", "1"}}, "flows[7].dst");      // to itself
  refused({{"src", "h1"}, {"dst", "h0"}, {"size_bytes", "0"}}, "flows[7].size_bytes");
  refused({{"src", "h1"}, {"dst", "h0"}, {"size_bytes", "1.5"}}, "flows[7].size_bytes");
  refused({{"src", "h1"}, {"dst", "h0"}, {"size_bytes", "inf"}}, "flows[7].size_bytes");
  refused({{"src", "h1"}, {"dst", "h0"}, {"size_bytes", "2e12"}}, "flows[7].size_bytes");
  refused({{"src", "h1"}, {"dst", "h0"}, {"size_bytes", "1"}, {"start_us", "nan"}}, "flows[7].start_us");
  refused({{"src", "h1"}, {"dst", "h0"}, {"size_bytes", "1"}, {"start_us", "-1"}}, "flows[7].start_us");
  refused({{"src", "h1"}, {"dst", "h0"}, {"size_bytes", "1"}, {"group", "a b"}}, "flows[7].group");
  refused({{"src", "h1"}, {"dst", "h0"}, {"size_bytes", "1"}, {"group", ""}}, "flows[7].group");
}

BOOST_AUTO_TEST_CASE(scenario_refuses_bad_flow_tables) {
  const std::string base = kStar + "flows:\n";
  // An unknown field, named with the file.
  std::string p = write_temp("unknown", base + "  - {src: h0, dst: h2, size_bytes: 10, rate: 5}\n");
  std::string e = error_of(p);
  BOOST_TEST(e.find("unknown field 'rate'") != std::string::npos, e);
  BOOST_TEST(e.find(p) != std::string::npos, e);
  // A host the topology does not have (known only once the topology is loaded).
  p = write_temp("host", base + "  - {src: h0, dst: h9, size_bytes: 10}\n");
  e = error_of(p);
  BOOST_TEST(e.find("flows[0].dst") != std::string::npos, e);
  // The window: its end after the run, its start not before its end.
  p = write_temp("window", base + "  - {src: h0, dst: h2, size_bytes: 10}\n");
  e = error_of(p, {"scenario.measure_to_us=40000"});
  BOOST_TEST(e.find("scenario.measure_to_us") != std::string::npos, e);
  e = error_of(p, {"scenario.measure_from_us=30000"});
  BOOST_TEST(e.find("scenario.measure_from_us") != std::string::npos, e);
  e = error_of(p, {"scenario.measure_to_us=inf"});
  BOOST_TEST(e.find("scenario.measure_to_us") != std::string::npos, e);
  // A link's K outside topology.switch.ecn_k_packets' range.
  std::string t = kStar;
  t.replace(t.find("ecn_k: 20"), 9, "ecn_k: 0");
  p = write_temp("k0", t + "flows:\n  - {src: h0, dst: h2, size_bytes: 10}\n");
  e = error_of(p);
  BOOST_TEST(e.find("topology.links[0].ecn_k") != std::string::npos, e);
  // Nothing to run at all.
  p = write_temp("empty", kStar);
  e = error_of(p);
  BOOST_TEST(e.find("nothing to run") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(per_link_k_sets_the_switch_ends_ports) {
  const json got = run_isolated([] {
    TopologyConfig t;
    t.type = "custom";
    t.custom_hosts = 2;
    t.custom_switches = 2;
    t.sw.ecn_k_packets = 65;
    t.links = {{{"a", "h0"}, {"b", "s0"}, {"gbps", "1"}, {"delay_ns", "0"}, {"ecn_k", "20"}},
               {{"a", "s0"}, {"b", "s1"}, {"gbps", "10"}, {"delay_ns", "0"}, {"ecn_k", "50"}},
               {{"a", "h1"}, {"b", "s1"}, {"gbps", "1"}, {"delay_ns", "0"}}};
    Fabric f("fabric", t);
    return json{f.switches[0]->ecn_k(0), f.switches[0]->ecn_k(1), f.switches[1]->ecn_k(0), f.switches[1]->ecn_k(1)};
  });
  // s0: port 0 to h0 (K 20), port 1 to s1 (K 50); s1: port 0 to s0 (K 50), port 1 to h1 (no ecn_k: 65).
  BOOST_TEST(got.dump() == "[20,50,50,65]");
}

BOOST_AUTO_TEST_CASE(two_long_flows_share_a_bottleneck) {
  // h0 -> h2 and h1 -> h2, infinite, both from t = 0: h2's 1 Gbps port is the bottleneck.
  // Goodput bound: a 1460-byte segment is a 1514-byte frame plus 24 bytes on the wire (preamble, FCS,
  // gap): 1538 bytes, so payload runs at 1e9 x 1460 / 1538 = 949.28 Mbit/s at most.
  // DCTCP keeps the link busy: with N = 2 flows, C x RTT = 1e9 / (8 x 1538) x ~80 us ~ 6.5 frames and
  // K = 20, the queue swings by A = 0.5 sqrt(2 N (C RTT + K)) ~ 5.1 frames below Q_max = K + N = 22,
  // never to empty; so the sum of the two goodputs over the window [10, 30] ms is within 2 % of the
  // bound, each near half (Jain's index near 1). Marks come only from the per-link K (see kStar).
  const std::string p = write_temp("share", kStar + R"(flows:
  - {src: h0, dst: h2, size_bytes: infinite, group: long}
  - {src: h1, dst: h2, size_bytes: infinite, group: long}
)");
  const ScenarioConfig cfg = load_scenario(p, {});
  const json s = run_isolated([&] { return run_scenario(cfg); });
  const json& g = s["flows"]["groups"]["long"];
  const double bound = 1e3 * 1460.0 / 1538.0;
  BOOST_TEST(g["count"].get<int>() == 2);
  BOOST_TEST(g["infinite"].get<int>() == 2);
  BOOST_TEST(g["completed"].get<int>() == 0);
  // (The receiver counts whole segments: at each edge of the window a flow's count is off by at most one
  // segment in flight on the last link, 1460 x 8 / 20 ms = 0.584 Mbit/s; two edges, two flows.)
  BOOST_TEST(2 * g["mean_mbps"].get<double>() <= bound + 4 * 0.584);
  BOOST_TEST(2 * g["mean_mbps"].get<double>() >= bound * 0.98);
  BOOST_TEST(g["jain"].get<double>() >= 0.98);
  // mean = bytes x 8 / window: the two agree.
  BOOST_TEST(g["bytes_measured"].get<double>() * 8 / 0.020 / 1e6 / 2 == g["mean_mbps"].get<double>(),
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(s["flows"]["measure_from_us"].get<double>() == 10000.0);
  BOOST_TEST(s["flows"]["measure_to_us"].get<double>() == 30000.0);
  BOOST_TEST(s["network"]["ecn_marked"].get<uint64_t>() > 0u);
  BOOST_TEST(s["drops_total"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_CASE(finite_flows_report_completion_and_window_goodput) {
  // One 125 000-byte flow from t = 1 ms on an idle path; window [0, 30] ms. It completes well inside the
  // window (at 949 Mbit/s its 86 segments take ~1.1 ms, plus slow start's few RTTs), so the window's
  // goodput is exactly its size over the window: 125000 x 8 / 0.03 s = 33.333 Mbit/s. Its FCT is at
  // least the ideal one (size with headers at line rate plus the base RTT), so slowdown >= 1.
  const std::string p = write_temp("finite", kStar + R"(flows:
  - {src: h0, dst: h2, size_bytes: 125000, start_us: 1000, group: short}
)");
  const json s = run_isolated([&] { return run_scenario(load_scenario(p, {"scenario.measure_from_us=0"})); });
  const json& g = s["flows"]["groups"]["short"];
  BOOST_TEST(g["count"].get<int>() == 1);
  BOOST_TEST(g["completed"].get<int>() == 1);
  BOOST_TEST(g["mean_mbps"].get<double>() == 125000 * 8 / 0.03 / 1e6, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(g["jain"].get<double>() == 1.0);
  BOOST_TEST(g["slowdown_mean"].get<double>() >= 1.0);
  // Ideal ~ 86 x 1538 B x 8 ns + 66.7 us ~ 1.13 ms; slow start from 10 segments needs 4 round trips.
  BOOST_TEST(g["fct_mean_us"].get<double>() > 1000.0);
  BOOST_TEST(g["fct_mean_us"].get<double>() < 2000.0);
}

BOOST_AUTO_TEST_CASE(same_input_same_groups) {
  const std::string p = write_temp("det", kStar + R"(flows:
  - {src: h0, dst: h2, size_bytes: infinite, group: a}
  - {src: h1, dst: h2, size_bytes: 300000, start_us: 2000, group: b}
)");
  const ScenarioConfig cfg = load_scenario(p, {"scenario.duration_us=12000", "scenario.measure_to_us=12000"});
  const json a = run_isolated([&] { return run_scenario(cfg); });
  const json b = run_isolated([&] { return run_scenario(cfg); });
  BOOST_TEST(a["flows"].dump() == b["flows"].dump());
  BOOST_TEST(a["flows"]["groups"].size() == 2u);
}
