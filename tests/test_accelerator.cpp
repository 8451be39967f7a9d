// Behaviour of the PANAMA accelerator model: arithmetic, throughput, latency, memory, header semantics,
// malformed input and waveforms. Each simulation runs in its own process (run_isolated), because
// SystemC allows one elaboration per process.
#define BOOST_TEST_MODULE accelerator
#include <boost/test/unit_test.hpp>

#include "accelerator/accelerator.h"
#include "accelerator/fp_arith.h"
#include "common/config.h"
#include "experiment/accel_bench.h"
#include "harness/isolated.h"
#include "harness/synthetic_child.h"
#include "support/contribution_frame.h"
#include "support/softfloat_ref.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

using namespace panama;
using panama::test::Bytes;
using panama::test::FrameInjector;
using panama::test::contribution;
using nlohmann::json;

namespace {

// Random binary32 patterns that hit every class: normals of all magnitudes, subnormals, +-0, +-inf,
// quiet and signalling NaNs, and values close enough to cancel.
uint32_t interesting_fp32(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0: return uint32_t(rng() & 0x807fffffu);                     // subnormal or zero
    case 1: return (rng() & 1) ? 0x80000000u : 0u;                    // signed zero
    case 2: return (rng() & 1) ? 0xff800000u : 0x7f800000u;           // infinity
    case 3: return 0x7f800001u | uint32_t(rng() & 0x807fffffu);       // NaN (any payload, either sign)
    case 4: return uint32_t(0x3f800000u + (rng() % 64)) | uint32_t((rng() & 1) << 31);  // near +-1: cancellation
    case 5: return uint32_t(0x7f000000u | (rng() & 0x807fffffu));     // near overflow
    default: return uint32_t(rng());                                   // anything
  }
}

// The documented association order (fp_arith.h), evaluated with the independent integer reference.
uint32_t ref_tree_fp32(std::vector<uint32_t> v) {
  while (v.size() > 1) {
    std::vector<uint32_t> next;
    for (size_t j = 0; j + 1 < v.size(); j += 2) next.push_back(ref::fp32_add(v[j], v[j + 1]));
    if (v.size() & 1) next.push_back(v.back());
    v = next;
  }
  return v[0];
}

void bind_ports(Accelerator& acc, FrameInjector& inj, uint32_t ports) {
  for (uint32_t p = 0; p < ports; ++p) {
    inj.out.bind(acc.rx);
    acc.tx.bind(inj.in);
  }
}

JobSpec one_tree_job(uint16_t job, uint64_t children, uint64_t down, ElementType t = ElementType::fp32) {
  JobSpec js;
  js.job = job;
  js.type = t;
  js.trees.push_back(TreeSpec{0, children, true, 0, down, group_ip(job, 0)});
  return js;
}

json drops_json(const AcceleratorStats& st) {
  json d = json::object();
  for (size_t r = 0; r < size_t(DropReason::count_); ++r) d[std::string(kDropReasonNames[r])] = st.drops.n[r];
  return d;
}

std::vector<uint32_t> elements_of(const Bytes& f) {
  DecodedPacket d = decode(f.data(), f.size());
  std::vector<uint32_t> v;
  for (uint32_t i = 0; i < d.hdr.count; ++i) v.push_back(load_be32(f.data() + kElementsOffset + 4 * i));
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(adder_tree)

BOOST_AUTO_TEST_CASE(fp32_sums_match_integer_reference_bit_exactly) {
  // Every fan-in from 1 to 8, about 20,000 element positions each, against the integer-only reference of
  // IEEE-754 binary32 RNE addition folded in the documented balanced-tree order. The counts are not all
  // multiples of four, so the four-lane path and its scalar tail are both checked.
  std::mt19937_64 rng(2021);
  for (uint32_t k = 1; k <= 8; ++k) {
    const uint32_t count = 20000 + k % 4;
    std::vector<std::vector<uint8_t>> ops(k, std::vector<uint8_t>(4 * count));
    std::vector<std::vector<uint32_t>> vals(count, std::vector<uint32_t>(k));
    for (uint32_t i = 0; i < count; ++i)
      for (uint32_t j = 0; j < k; ++j) {
        vals[i][j] = interesting_fp32(rng);
        store_be32(ops[j].data() + 4 * i, vals[i][j]);
      }
    const uint8_t* ptrs[8];
    for (uint32_t j = 0; j < k; ++j) ptrs[j] = ops[j].data();
    std::vector<uint8_t> dst(4 * count);
    reduce_elements(ElementType::fp32, dst.data(), ptrs, k, count);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < count; ++i)
      if (load_be32(dst.data() + 4 * i) != ref_tree_fp32(vals[i])) ++bad;
    BOOST_TEST(bad == 0u, "fan-in " << k << ": " << bad << " of " << count << " sums differ from the reference");
  }
}

BOOST_AUTO_TEST_CASE(in_place_accumulate_matches_reference) {
  // The running-accumulate path (k == 2, dst aliases the partial sum) is the hot loop; it must agree too.
  std::mt19937_64 rng(7);
  const uint32_t count = 100003;  // four-lane body and a scalar tail
  std::vector<uint8_t> acc(4 * count), in(4 * count);
  std::vector<uint32_t> a(count), b(count);
  for (uint32_t i = 0; i < count; ++i) {
    a[i] = interesting_fp32(rng);
    b[i] = interesting_fp32(rng);
    store_be32(acc.data() + 4 * i, a[i]);
    store_be32(in.data() + 4 * i, b[i]);
  }
  accumulate_elements(ElementType::fp32, acc.data(), in.data(), count);
  uint32_t bad = 0;
  for (uint32_t i = 0; i < count; ++i) bad += load_be32(acc.data() + 4 * i) != ref::fp32_add(a[i], b[i]);
  BOOST_TEST(bad == 0u);
}

BOOST_AUTO_TEST_CASE(ieee_corner_cases) {
  // Hand-derived: -0 + -0 = -0; +0 + -0 = +0 (RNE); 1 + (-1) = +0; inf + -inf = canonical NaN;
  // any NaN operand gives 0x7FC00000; min subnormal + min subnormal = 2 x min subnormal (0x00000002);
  // max float + max float overflows to +inf; 1 + 2^-24 ties to even = 1.
  BOOST_TEST(fp32_add(0x80000000u, 0x80000000u) == 0x80000000u);
  BOOST_TEST(fp32_add(0x00000000u, 0x80000000u) == 0x00000000u);
  BOOST_TEST(fp32_add(0x3f800000u, 0xbf800000u) == 0x00000000u);
  BOOST_TEST(fp32_add(0x7f800000u, 0xff800000u) == kFp32CanonicalNan);
  BOOST_TEST(fp32_add(0xffc12345u, 0x3f800000u) == kFp32CanonicalNan);
  BOOST_TEST(fp32_add(0x00000001u, 0x00000001u) == 0x00000002u);
  BOOST_TEST(fp32_add(0x7f7fffffu, 0x7f7fffffu) == 0x7f800000u);
  BOOST_TEST(fp32_add(0x3f800000u, 0x33800000u) == 0x3f800000u);
  // A single operand passes unchanged: the first contribution is stored, not added to +0, so -0 survives.
  uint8_t neg0[4], out[4];
  store_be32(neg0, 0x80000000u);
  const uint8_t* ops[1] = {neg0};
  reduce_elements(ElementType::fp32, out, ops, 1, 1);
  BOOST_TEST(load_be32(out) == 0x80000000u);
}

BOOST_AUTO_TEST_CASE(half_precision_formats_match_reference) {
  // All 65,536 fp16 and bf16 patterns widen exactly; sums of random pairs round once (RNE) like the reference.
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint32_t ref16 = ref::fp16_to_fp32(uint16_t(h));
    const uint32_t got16 = fp16_to_fp32(uint16_t(h));
    const bool both_nan = (ref16 & 0x7fffffffu) > 0x7f800000u && (got16 & 0x7fffffffu) > 0x7f800000u;
    BOOST_TEST_REQUIRE((got16 == ref16 || both_nan), "fp16 " << h);
    BOOST_TEST_REQUIRE(bf16_to_fp32(uint16_t(h)) == ref::bf16_to_fp32(uint16_t(h)));
  }
  std::mt19937_64 rng(16);
  uint32_t bad = 0;
  for (int i = 0; i < 1000000; ++i) {
    const uint16_t a = uint16_t(rng()), b = uint16_t(rng());
    bad += fp16_add(a, b) != ref::fp16_add(a, b);
    bad += bf16_add(a, b) != ref::bf16_add(a, b);
    const uint32_t x = interesting_fp32(rng);
    bad += fp32_to_fp16(x) != ref::fp32_to_fp16(x);
    bad += fp32_to_bf16(x) != ref::fp32_to_bf16(x);
  }
  BOOST_TEST(bad == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(accelerator_datapath)

BOOST_AUTO_TEST_CASE(result_is_bit_exact_in_arrival_order) {
  // Three children arrive in the order port 2, port 0, port 1, far apart, with fan-in 2 (running
  // accumulate): the result must equal ((c2 + c0) + c1) evaluated by the integer reference, element by
  // element, including NaN, infinities, subnormals and -0.
  std::mt19937_64 rng(99);
  const uint32_t n = 362;
  std::vector<std::vector<uint32_t>> c(3, std::vector<uint32_t>(n));
  for (auto& v : c)
    for (auto& x : v) x = interesting_fp32(rng);
  json j = run_isolated([&] {
    AcceleratorConfig cfg;
    Accelerator acc("acc", cfg);
    FrameInjector inj("inj", cfg.ports);
    bind_ports(acc, inj, cfg.ports);
    acc.install_job(one_tree_job(1, 0b0111, 0b0111));
    inj.inject(1000000, 2, contribution(1, 0, 5, 2, c[2]));
    inj.inject(2000000, 0, contribution(1, 0, 5, 0, c[0]));
    inj.inject(3000000, 1, contribution(1, 0, 5, 1, c[1]));
    sc_core::sc_start();
    json out = json::array();
    for (auto& r : inj.received) out.push_back(json{{"lane", r.lane}, {"elems", elements_of(r.bytes)}});
    return json{{"results", out}};
  });
  BOOST_TEST_REQUIRE(j["results"].size() == 3u);  // multicast down to the three children
  uint32_t bad = 0;
  for (auto& r : j["results"]) {
    auto got = r["elems"].get<std::vector<uint32_t>>();
    BOOST_TEST_REQUIRE(got.size() == n);
    for (uint32_t i = 0; i < n; ++i) bad += got[i] != ref::fp32_add(ref::fp32_add(c[2][i], c[0][i]), c[1][i]);
  }
  BOOST_TEST(bad == 0u);
}

BOOST_AUTO_TEST_CASE(wide_fan_in_combines_queued_contributions_in_tree_order) {
  // fan_in 4 and a 1-lane adder (362 cycles a pass): child 0's pass keeps the tree busy while children
  // 1..3 queue, so the second pass reduces [partial, c1, c2, c3] as (partial + c1) + (c2 + c3).
  std::mt19937_64 rng(4);
  const uint32_t n = 362;
  std::vector<std::vector<uint32_t>> c(4, std::vector<uint32_t>(n));
  for (auto& v : c)
    for (auto& x : v) x = interesting_fp32(rng);
  json j = run_isolated([&] {
    AcceleratorConfig cfg;
    cfg.fan_in = 4;
    cfg.lanes = 1;
    Accelerator acc("acc", cfg);
    FrameInjector inj("inj", cfg.ports);
    bind_ports(acc, inj, cfg.ports);
    acc.install_job(one_tree_job(1, 0b1111, 0b0001));
    for (uint32_t p = 0; p < 4; ++p) inj.inject(1000000 + p * 100000, p, contribution(1, 0, 0, uint16_t(p), c[p]));
    sc_core::sc_start();
    return json{{"elems", elements_of(inj.received.at(0).bytes)}, {"passes", acc.adders.passes()}};
  });
  BOOST_TEST(j["passes"].get<uint64_t>() == 2u);
  auto got = j["elems"].get<std::vector<uint32_t>>();
  uint32_t bad = 0;
  for (uint32_t i = 0; i < n; ++i)
    bad += got[i] != ref::fp32_add(ref::fp32_add(c[0][i], c[1][i]), ref::fp32_add(c[2][i], c[3][i]));
  BOOST_TEST(bad == 0u);
}

BOOST_AUTO_TEST_CASE(throughput_is_min_of_port_rate_and_datapath) {
  // Analytic aggregation throughput = min(ports x port rate x load, datapath bits x clock), in frame bits.
  // The exact analytic value also charges the 24-byte Ethernet wire overhead per 1514-byte frame
  // (1514/1538 = 0.984) and whole datapath beats (1514 B in 8-byte beats = 190 beats = 1520 B), so the
  // measured value must be within 0.5 % of the exact analytic value and within 2 % of the plain formula.
  struct Case {
    const char* name;
    uint32_t bits, lanes, sram_bits;
    double mhz, port_gbps, load, plain_gbps;
  };
  const Case cases[] = {
      // NetFPGA-SUME prototype datapath: 64 bit x 156.25 MHz = 10 Gbps, four 10G ports at 25 % each = 10 Gbps.
      {"prototype_10g", 64, 2, 64, 156.25, 10.0, 0.25, 10.0},
      // 100 Gbps design: 512 bit x 250 MHz = 128 Gbps datapath, four 25G ports = 100 Gbps offered (port-bound).
      {"design_100g", 512, 16, 512, 250.0, 25.0, 1.0, 100.0},
      // Under-provisioned: 256 bit x 200 MHz = 51.2 Gbps datapath against 100 Gbps offered (datapath-bound).
      {"underprovisioned", 256, 8, 256, 200.0, 25.0, 1.0, 51.2},
  };
  for (const Case& k : cases) {
    AcceleratorConfig acc;
    acc.datapath_bits = k.bits;
    acc.lanes = k.lanes;
    acc.sram_width_bits = k.sram_bits;
    acc.clock_mhz = k.mhz;
    acc.port_gbps = k.port_gbps;
    AccelBenchConfig b;
    b.children = 4;
    b.load = k.load;
    b.slots = 4000;
    json j = run_isolated([&] { return run_accel_bench(acc, b); });
    const double thr = j["throughput_gbps"], exact = j["analytic_gbps"];
    BOOST_TEST_MESSAGE(k.name << ": " << thr << " Gbps, analytic " << exact << ", plain " << k.plain_gbps);
    BOOST_TEST(std::fabs(thr - exact) / exact <= 0.005, k.name << ": " << thr << " vs exact " << exact);
    BOOST_TEST(std::fabs(thr - k.plain_gbps) / k.plain_gbps <= 0.02, k.name << ": " << thr << " vs " << k.plain_gbps);
    BOOST_TEST(j["result_mismatches"].get<uint64_t>() == 0u);
    BOOST_TEST(j["results_received"] == j["results_expected"]);
    if (std::string(k.name) == "underprovisioned")
      BOOST_TEST(j["backpressure_events"].get<uint64_t>() > 0u, "an overloaded datapath must push back on its ports");
  }
}

BOOST_AUTO_TEST_CASE(zero_load_latency_equals_pipeline_depth) {
  // Default config: parser 4, SRAM read 2, adder tree 1 level x 3, egress 2 cycles at 250 MHz (4 ns).
  //   first contribution (no partial to read, not complete): parser + adder        = 4 + 3         = 7
  //   completing contribution (reads the partial, result leaves): 4 + 2 + 3 + 2    = 11
  //   pass-through frame: parser + egress                                          = 4 + 2         = 6
  // With fan_in 4 the tree has two levels: 7 -> 10 and 11 -> 14.
  for (uint32_t fan_in : {2u, 4u}) {
    json j = run_isolated([&] {
      AcceleratorConfig cfg;
      cfg.fan_in = fan_in;
      Accelerator acc("acc", cfg);
      FrameInjector inj("inj", cfg.ports);
      bind_ports(acc, inj, cfg.ports);
      acc.install_job(one_tree_job(1, 0b0011, 0b0011));
      inj.inject(1000000, 0, contribution(1, 0, 0, 0, std::vector<uint32_t>(362, 0x3f800000u)));
      inj.inject(10000000, 1, contribution(1, 0, 0, 1, std::vector<uint32_t>(362, 0x3f800000u)));
      UdpAddressing u;
      u.dst_port = 80;
      Bytes other(200);
      other.resize(encode_udp(other.data(), other.size(), u, nullptr, 100));
      inj.inject(20000000, 2, other);
      sc_core::sc_start();
      const auto& lat = acc.stats().latency_cycles;
      json rx = json::array();
      for (auto& r : inj.received) rx.push_back(json{{"lane", r.lane}, {"at", r.at}, {"len", r.bytes.size()}});
      return json{{"min", lat.min()}, {"max", lat.max()}, {"n", lat.count()}, {"mean", lat.mean()}, {"rx", rx}};
    });
    const double extra = fan_in == 4 ? 3 : 0;
    BOOST_TEST(j["n"].get<size_t>() == 3u);
    BOOST_TEST(j["min"].get<double>() == 6.0);
    BOOST_TEST(j["max"].get<double>() == 11.0 + extra);
    BOOST_TEST(j["mean"].get<double>() == (6.0 + 7.0 + 11.0 + 2 * extra) / 3.0);
    // The result's last beat reaches a child at 10 us + 11 cycles x 4 ns + ceil(1514 B / 64 B) = 24
    // beats of the 512-bit egress bus x 4 ns (the bus, not the line: the switch's port serialises)
    // = 10,000,000 + 44,000 (+12,000 with fan_in 4) + 96,000 ps.
    BOOST_TEST(j["rx"][0]["at"].get<uint64_t>() == 10000000u + 44000u + uint64_t(extra) * 4000u + 96000u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(buffer_sram)

BOOST_AUTO_TEST_CASE(memory_full_holds_back_and_loses_nothing) {
  // 8 KiB of 1472-byte slots = 5 slots. Child 0 sends at line rate, child 1 at 5 %, so open slots
  // pile up waiting for child 1: contributions must park and their port be held back, and still every
  // one of the 300 results arrives, bit-exact, with no drop.
  json j = run_isolated([] {
    AcceleratorConfig cfg;
    cfg.sram_kib = 8;
    cfg.max_jobs = 1;
    Accelerator acc("acc", cfg);
    ContributionPatterns pat(3, ElementType::fp32, 362);
    std::vector<std::unique_ptr<SyntheticChild>> ch;
    for (uint32_t c = 0; c < 2; ++c) {
      ChildSpec s;
      s.index = c;
      s.children = 2;
      s.load = c == 0 ? 1.0 : 0.05;
      s.slots = 300;
      ch.push_back(std::make_unique<SyntheticChild>(("c" + std::to_string(c)).c_str(), s, pat));
      ch.back()->out.bind(acc.rx);
      acc.tx.bind(ch.back()->in);
    }
    acc.install_job(one_tree_job(0, 0b11, 0b11));
    sc_core::sc_start();
    const auto& st = acc.stats();
    return json{{"slots", acc.sram.total_slots()}, {"peak", acc.sram.occupancy().peak()}, {"stalls", st.slot_stalls},
                {"stall_cycles", st.slot_stall_cycles}, {"bp", st.backpressure_events}, {"drops", st.drops.total()},
                {"r0", ch[0]->results()}, {"r1", ch[1]->results()}, {"bad", ch[0]->mismatches() + ch[1]->mismatches()},
                {"contributions", st.contributions}};
  });
  BOOST_TEST(j["slots"].get<uint32_t>() == 5u);  // 8192 / 1472 = 5.56
  BOOST_TEST(j["peak"].get<int64_t>() == 5);
  BOOST_TEST(j["stalls"].get<uint64_t>() > 0u);
  BOOST_TEST(j["stall_cycles"].get<uint64_t>() > 0u);
  BOOST_TEST(j["bp"].get<uint64_t>() > 0u);
  BOOST_TEST(j["drops"].get<uint64_t>() == 0u);
  BOOST_TEST(j["contributions"].get<uint64_t>() == 600u);
  BOOST_TEST(j["r0"].get<uint64_t>() == 300u);
  BOOST_TEST(j["r1"].get<uint64_t>() == 300u);
  BOOST_TEST(j["bad"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_CASE(jobs_share_memory_as_packet_memory_over_num_jobs) {
  // 5 slots shared by 2 jobs: each may hold floor(5 / 2) = 2. Both jobs are starved the same way (slow
  // child 1), so each must peak at exactly its share, never more, and lose nothing.
  json j = run_isolated([] {
    AcceleratorConfig cfg;
    cfg.sram_kib = 8;
    cfg.max_jobs = 2;
    Accelerator acc("acc", cfg);
    json shares = json::array();
    shares.push_back(acc.sram.share());  // no job: the whole memory
    acc.install_job(one_tree_job(0, 0b11, 0b11));
    shares.push_back(acc.sram.share());
    acc.install_job(one_tree_job(1, 0b11, 0b11));
    shares.push_back(acc.sram.share());
    const bool third = acc.install_job(one_tree_job(2, 0b11, 0b11));  // max_jobs = 2
    ContributionPatterns pat(3, ElementType::fp32, 362);
    std::vector<std::unique_ptr<SyntheticChild>> ch;
    for (uint32_t c = 0; c < 2; ++c) {
      ChildSpec s;
      s.index = c;
      s.children = 2;
      s.load = c == 0 ? 1.0 : 0.05;
      s.slots = 200;
      s.jobs = {0, 1};
      ch.push_back(std::make_unique<SyntheticChild>(("c" + std::to_string(c)).c_str(), s, pat));
      ch.back()->out.bind(acc.rx);
      acc.tx.bind(ch.back()->in);
    }
    sc_core::sc_start();
    const uint32_t p0 = acc.peak_slots_of(0), p1 = acc.peak_slots_of(1);
    acc.remove_job(1);
    shares.push_back(acc.sram.share());
    return json{{"shares", shares}, {"third", third}, {"peak0", p0}, {"peak1", p1},
                {"results", ch[0]->results() + ch[1]->results()}, {"bad", ch[0]->mismatches() + ch[1]->mismatches()},
                {"drops", acc.stats().drops.total()}};
  });
  BOOST_TEST(j["shares"] == json::parse("[5, 5, 2, 5]"));
  BOOST_TEST(j["third"].get<bool>() == false);
  BOOST_TEST(j["peak0"].get<uint32_t>() == 2u);
  BOOST_TEST(j["peak1"].get<uint32_t>() == 2u);
  BOOST_TEST(j["results"].get<uint64_t>() == 2u * 2u * 200u);
  BOOST_TEST(j["bad"].get<uint64_t>() == 0u);
  BOOST_TEST(j["drops"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(header_semantics)

BOOST_AUTO_TEST_CASE(ecn_is_ored_and_cwnd_cap_is_the_minimum) {
  // Slot 0: ECN ECT0, CE, ECT0 and cwnd_cap 100, 7, 50 -> result CE and cwnd_cap min(7, free) = 7.
  // Slot 1: all ECT0, cwnd_cap 65535 -> ECT0 and cwnd_cap = this accelerator's free slots for the job
  //         after freeing the slot = all 712 slots of the default 1 MiB (1472 B each).
  // Slot 2: ECT1, ECT0, ECT0 -> not CE: a bitwise OR of the codepoints (01 | 10 = 11) would fake a mark.
  json j = run_isolated([] {
    AcceleratorConfig cfg;
    Accelerator acc("acc", cfg);
    FrameInjector inj("inj", cfg.ports);
    bind_ports(acc, inj, cfg.ports);
    acc.install_job(one_tree_job(1, 0b0111, 0b0001));
    const std::vector<uint32_t> v(16, 0x3f800000u);
    const uint8_t ecn[3][3] = {{kEcnEct0, kEcnCe, kEcnEct0}, {kEcnEct0, kEcnEct0, kEcnEct0}, {kEcnEct1, kEcnEct0, kEcnEct0}};
    const uint16_t cap[3][3] = {{100, 7, 50}, {0xffff, 0xffff, 0xffff}, {0xffff, 0xffff, 0xffff}};
    for (uint32_t s = 0; s < 3; ++s)
      for (uint32_t p = 0; p < 3; ++p)
        inj.inject(1000000 * (s + 1) + p * 100000, p, contribution(1, 0, s, uint16_t(p), v, ElementType::fp32, ecn[s][p], cap[s][p]));
    sc_core::sc_start();
    json out = json::array();
    for (auto& r : inj.received) {
      DecodedPacket d = decode(r.bytes.data(), r.bytes.size());
      out.push_back(json{{"seq", d.hdr.seq}, {"ecn", d.ecn}, {"cap", d.hdr.cwnd_cap}, {"flags", d.hdr.flags},
                         {"cls", int(d.cls)}, {"sum0", load_be32(r.bytes.data() + kElementsOffset)}});
    }
    return json{{"out", out}};
  });
  BOOST_TEST_REQUIRE(j["out"].size() == 3u);
  BOOST_TEST(j["out"][0]["ecn"].get<int>() == int(kEcnCe));
  BOOST_TEST(j["out"][0]["cap"].get<int>() == 7);
  BOOST_TEST(j["out"][1]["ecn"].get<int>() == int(kEcnEct0));
  BOOST_TEST(j["out"][1]["cap"].get<int>() == 712);
  BOOST_TEST(j["out"][2]["ecn"].get<int>() == int(kEcnEct1));
  for (auto& r : j["out"]) {
    BOOST_TEST(r["cls"].get<int>() == int(PacketClass::aggregation));  // checksum still valid after rewrite
    BOOST_TEST(r["flags"].get<int>() == int(kFlagResult));
    BOOST_TEST(r["sum0"].get<uint32_t>() == 0x40400000u);  // 1 + 1 + 1 = 3.0f
  }
}

BOOST_AUTO_TEST_CASE(retransmitted_contribution_is_not_added_twice) {
  // Child 0 sends slot 0 twice (the second a retransmission) before child 1: the result is 1 + 2 = 3,
  // not 4, and the duplicate is dropped with reason `duplicate`.
  json j = run_isolated([] {
    AcceleratorConfig cfg;
    Accelerator acc("acc", cfg);
    FrameInjector inj("inj", cfg.ports);
    bind_ports(acc, inj, cfg.ports);
    acc.install_job(one_tree_job(1, 0b0011, 0b0001));
    inj.inject(1000000, 0, contribution(1, 0, 0, 0, std::vector<uint32_t>(8, 0x3f800000u)));
    inj.inject(2000000, 0, contribution(1, 0, 0, 0, std::vector<uint32_t>(8, 0x3f800000u), ElementType::fp32,
                                        kEcnEct0, 0xffff, kFlagRetransmit));
    inj.inject(3000000, 1, contribution(1, 0, 0, 1, std::vector<uint32_t>(8, 0x40000000u)));
    sc_core::sc_start();
    return json{{"n", inj.received.size()}, {"sum0", load_be32(inj.received.at(0).bytes.data() + kElementsOffset)},
                {"drops", drops_json(acc.stats())}};
  });
  BOOST_TEST(j["n"].get<size_t>() == 1u);
  BOOST_TEST(j["sum0"].get<uint32_t>() == 0x40400000u);  // 3.0f
  BOOST_TEST(j["drops"]["duplicate"].get<uint64_t>() == 1u);
}

BOOST_AUTO_TEST_CASE(retransmission_for_a_completed_slot_is_answered_from_the_result_cache) {
  // Root with children {0, 1}: slot 0 completes (one result on each down lane). Child 1 then times out
  // (its result was lost further down) and retransmits: the root answers from its cache with one more
  // result on lane 1 only, opens no slot, adds nothing. An inner node (up lane 2) re-sends its partial.
  for (bool root : {true, false}) {
    json j = run_isolated([&] {
      AcceleratorConfig cfg;
      Accelerator acc("acc", cfg);
      FrameInjector inj("inj", cfg.ports);
      bind_ports(acc, inj, cfg.ports);
      JobSpec js;
      js.job = 1;
      js.trees.push_back(TreeSpec{0, 0b0011, root, 2, root ? 0b0011ull : 0ull, group_ip(1, 0)});
      acc.install_job(js);
      inj.inject(1000000, 0, contribution(1, 0, 0, 0, std::vector<uint32_t>(8, 0x3f800000u)));
      inj.inject(1100000, 1, contribution(1, 0, 0, 1, std::vector<uint32_t>(8, 0x3f800000u)));
      inj.inject(5000000, 1, contribution(1, 0, 0, 1, std::vector<uint32_t>(8, 0x3f800000u), ElementType::fp32,
                                          kEcnEct0, 0xffff, kFlagRetransmit));
      sc_core::sc_start();
      json lanes = json::array();
      for (auto& r : inj.received) lanes.push_back(r.lane);
      return json{{"lanes", lanes}, {"answered", acc.stats().retransmits_answered},
                  {"contributions", acc.stats().contributions}, {"open", acc.sram.in_use()},
                  {"sum0", load_be32(inj.received.back().bytes.data() + kElementsOffset)}};
    });
    BOOST_TEST(j["answered"].get<uint64_t>() == 1u);
    BOOST_TEST(j["contributions"].get<uint64_t>() == 2u);
    BOOST_TEST(j["open"].get<uint32_t>() == 0u);
    BOOST_TEST(j["sum0"].get<uint32_t>() == 0x40000000u);  // 1 + 1 = 2.0f, resent unchanged
    if (root) BOOST_TEST(j["lanes"] == json::parse("[0, 1, 1]"));
    else BOOST_TEST(j["lanes"] == json::parse("[2, 2]"));
  }
}

BOOST_AUTO_TEST_CASE(malformed_frames_are_counted_and_dropped_with_reason) {
  // Each bad frame is dropped with exactly its reason; well-formed traffic that is not ours (a PFC
  // frame, an ordinary UDP datagram) passes through unchanged on its own lane.
  json j = run_isolated([] {
    AcceleratorConfig cfg;
    Accelerator acc("acc", cfg);
    FrameInjector inj("inj", cfg.ports);
    bind_ports(acc, inj, cfg.ports);
    acc.install_job(one_tree_job(1, 0b0011, 0b0011));
    const Bytes good = contribution(1, 0, 0, 0, std::vector<uint32_t>(8, 0x3f800000u));
    Bytes bad_csum = good;
    bad_csum[kIpOffset + 8] ^= 0x01;  // TTL changed, checksum not updated
    Bytes truncated(good.begin(), good.begin() + 30);  // Ethernet + 16 of the 20 IPv4 header bytes
    Bytes bad_version = good;
    bad_version[kPanamaOffset] = 9;
    Bytes bad_type = good;
    bad_type[kPanamaOffset + 2] = 7;
    Bytes too_many = good;
    store_be16(too_many.data() + kPanamaOffset + 14, 1000);
    Bytes unknown_job = contribution(9, 0, 0, 0, std::vector<uint32_t>(8, 0));
    Bytes pause(60, 0);
    store_be16(pause.data() + 12, 0x8808);  // MAC control (PFC): not IPv4
    UdpAddressing u;
    u.dst_port = 4791;
    Bytes udp(300);
    udp.resize(encode_udp(udp.data(), udp.size(), u, nullptr, 200));
    const Bytes* frames[] = {&bad_csum, &truncated, &bad_version, &bad_type, &too_many, &unknown_job, &pause, &udp};
    ps_t t = 1000000;
    for (const Bytes* f : frames) inj.inject(t += 100000, 0, *f);
    inj.inject(t += 100000, 3, good);  // port 3 is not a child of this tree
    sc_core::sc_start();
    json rx = json::array();
    for (auto& r : inj.received) rx.push_back(json{{"lane", r.lane}, {"bytes", r.bytes}});
    return json{{"drops", drops_json(acc.stats())}, {"rx", rx}, {"pause", pause}, {"udp", udp},
                {"total", acc.stats().drops.total()}};
  });
  const json& d = j["drops"];
  BOOST_TEST(d["ip_checksum"].get<int>() == 1);
  BOOST_TEST(d["truncated"].get<int>() == 1);
  BOOST_TEST(d["panama_version"].get<int>() == 1);
  BOOST_TEST(d["element_type"].get<int>() == 1);
  BOOST_TEST(d["element_count_beyond_frame"].get<int>() == 1);
  BOOST_TEST(d["unknown_job"].get<int>() == 1);
  BOOST_TEST(d["not_a_child"].get<int>() == 1);
  BOOST_TEST(j["total"].get<int>() == 7);
  BOOST_TEST_REQUIRE(j["rx"].size() == 2u);
  BOOST_TEST(j["rx"][0]["lane"].get<int>() == 0);
  BOOST_TEST((j["rx"][0]["bytes"] == j["pause"]));
  BOOST_TEST((j["rx"][1]["bytes"] == j["udp"]));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(waveforms)

BOOST_AUTO_TEST_CASE(vcd_file_holds_the_named_signals) {
  const std::string path = "test_accelerator_waves.vcd";
  std::remove(path.c_str());
  AcceleratorConfig acc;
  AccelBenchConfig b;
  b.slots = 200;
  b.vcd = path;
  b.vcd_from_us = 1;
  b.vcd_to_us = 5;
  json j = run_isolated([&] { return run_accel_bench(acc, b); });
  std::ifstream in(path);
  BOOST_TEST_REQUIRE(in.good(), "no VCD written at " << path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string vcd = ss.str();
  for (const char* sig : {"parser_busy", "sram_read_busy", "sram_write_busy", "adder_busy", "egress_busy",
                          "sram_slots_used", "agg_queue_depth", "parked", "ingress_fifo", "last_seq_issued",
                          "last_seq_completed"})
    BOOST_TEST(vcd.find(sig) != std::string::npos, "signal " << sig << " missing");
  // Value changes only inside the 1-5 us window (timestamps in ps). The kernel writes one last bare
  // timestamp when the file is closed; only timestamps followed by value changes count.
  size_t stamps = 0;
  uint64_t last = 0, stamp = 0;
  bool counted = true;
  std::istringstream lines(vcd);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > 1 && line[0] == '#') {
      stamp = std::stoull(line.substr(1));
      counted = false;
    } else if (!counted && !line.empty() && line[0] != '$') {
      ++stamps;
      last = stamp;
      counted = true;
    }
  }
  BOOST_TEST(stamps > 100u, "only " << stamps << " timestamps");
  BOOST_TEST(last <= 5000000u);
}

BOOST_AUTO_TEST_SUITE_END()
