// Co-simulation of the TLM accelerator against the Verilated RTL aggregation datapath (agg_top,
// `panama cosim`, docs/cosim.md). Each simulation runs in its own process (run_isolated).
//   - random and corner-case contributions agree bit for bit, every slot compared, completion
//     cycles within the stated tolerance;
//   - the BROKEN_TRUNCATE build of the same top is caught, and the first divergent slot and element
//     are reported with both values (and the reference's) in hex;
//   - a VCD window of both models is written around the first mismatch.
#define BOOST_TEST_MODULE cosim
#include <boost/test/unit_test.hpp>

#include "cosim/cosim.h"
#include "cosim/rtl_registry.h"
#include "harness/isolated.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

using namespace panama;
using nlohmann::json;

namespace {
cosim::CosimConfig small(const std::string& top) {
  cosim::CosimConfig c;
  c.rtl_top = top;
  c.packets = 20000;
  return c;
}
}  // namespace

BOOST_AUTO_TEST_CASE(registry_holds_both_builds) {
  BOOST_TEST(cosim::find_rtl_variant("agg_top") != nullptr);
  BOOST_TEST(cosim::find_rtl_variant("agg_top_broken") != nullptr);
  BOOST_TEST(cosim::find_rtl_variant("no_such_top") == nullptr);
}

BOOST_AUTO_TEST_CASE(rtl_agrees_bit_exactly_with_the_model) {
  for (uint32_t children : {2u, 4u, 8u}) {
    cosim::CosimConfig c = small("agg_top");
    c.children = children;
    c.seed = 1000 + children;
    const json j = run_isolated([&] { return cosim::run_cosim(c); });
    BOOST_TEST_MESSAGE(j.dump());
    BOOST_TEST(j["errors"].empty(), j["errors"].dump());
    BOOST_TEST(j["mismatches"].get<uint64_t>() == 0u, j["first_mismatch"].dump());
    BOOST_TEST(j["slots_compared"] == j["slots"]);
    BOOST_TEST(j["slots_missing"].get<uint64_t>() == 0u);
    // The corner cases reached the results: NaN, infinities, -0, +0 from cancellation, subnormals.
    for (const char* k : {"nan", "inf", "neg_zero", "pos_zero", "subnormal"})
      BOOST_TEST(j["result_classes"][k].get<uint64_t>() > 0u, k);
    BOOST_TEST(j["packets"].get<uint64_t>() >= c.packets);
    BOOST_TEST(j["cycle_violations"].get<uint64_t>() == 0u, j["cycle_error_histogram"].dump());
    BOOST_TEST(j["max_cycle_error"].get<int64_t>() <= j["cycle_tolerance"].get<int64_t>());
    // Most slots differ by exactly the model's SRAM read latency (2 cycles).
    BOOST_TEST(j["cycle_error_histogram"]["2"].get<uint64_t>() * 2 > j["slots"].get<uint64_t>());
  }
}

BOOST_AUTO_TEST_CASE(broken_truncating_rtl_is_caught) {
  const cosim::CosimConfig c = small("agg_top_broken");
  const json j = run_isolated([&] { return cosim::run_cosim(c); });
  BOOST_TEST(j["errors"].empty(), j["errors"].dump());
  BOOST_TEST(j["mismatches"].get<uint64_t>() > 0u);
  const json& f = j["first_mismatch"];
  BOOST_TEST_REQUIRE(f.is_object());
  BOOST_TEST(f.contains("slot"));
  BOOST_TEST(f.contains("element"));
  // The model follows the contract; the truncating RTL does not.
  BOOST_TEST(f["tlm"] == f["reference"]);
  BOOST_TEST(f["rtl"] != f["tlm"]);
  BOOST_TEST(f["tlm"].get<std::string>().rfind("0x", 0) == 0u);
  // Truncation never changes the timing: only values diverge.
  BOOST_TEST(j["cycle_violations"].get<uint64_t>() == 0u);
  std::cout << cosim::cosim_report(j);
}

BOOST_AUTO_TEST_CASE(mismatch_writes_a_vcd_window_of_both_models) {
  cosim::CosimConfig c = small("agg_top_broken");
  c.packets = 400;
  c.vcd = "test_cosim_broken.vcd";
  std::remove(c.vcd.c_str());
  const json j = cosim::cosim(c);
  BOOST_TEST(j["errors"].empty(), j["errors"].dump());  // includes: the waveform re-run agrees
  BOOST_TEST(j["mismatches"].get<uint64_t>() > 0u);
  BOOST_TEST_REQUIRE(j["vcd"].is_object());
  std::ifstream in(j["vcd"]["file"].get<std::string>());
  BOOST_TEST_REQUIRE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("cpl_data_lane0") != std::string::npos);   // the RTL's pins
  BOOST_TEST(text.find("adder_busy") != std::string::npos);       // the model's stages
  BOOST_TEST(text.find("result_element_" + std::to_string(j["first_mismatch"]["element"].get<uint32_t>())) !=
             std::string::npos);                                     // the model's divergent element
  BOOST_TEST(j["vcd"]["from_cycle"].get<uint64_t>() <= j["first_mismatch"]["rtl_cycle"].get<uint64_t>());
  BOOST_TEST(j["vcd"]["to_cycle"].get<uint64_t>() > j["first_mismatch"]["rtl_cycle"].get<uint64_t>());
}
