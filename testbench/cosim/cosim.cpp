#include "cosim/cosim.h"

#include "accelerator/accelerator.h"
#include "accelerator/buffer_sram.h"
#include "cosim/rtl_registry.h"
#include "cosim/tlm_driver.h"
#include "cosim/transactor.h"
#include "experiment/report.h"
#include "harness/isolated.h"
#include "protocol/packet.h"
#include "support/softfloat_ref.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

namespace panama::cosim {

using nlohmann::json;

namespace {

constexpr uint16_t kJob = 1;
constexpr uint8_t kTree = 0;
constexpr uint64_t kFirstArrivalCycle = 8;  // after the RTL's reset edges

std::string hex32(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

// One contribution of the stimulus, in arrival order.
struct Stim {
  uint64_t arrival;  // cycle its frame's last bit reaches the accelerator
  uint32_t child;
  uint32_t seq;
  std::vector<uint32_t> elements;
  std::vector<uint8_t> frame;
};

// Element `i` of child `c`'s contribution to a corner-case slot: each element index is one corner
// of the arithmetic contract, summed over all children in arrival order.
uint32_t corner_element(uint32_t i, uint32_t c, ref::fp32_operand_generator& g) {
  switch (i % 16) {
    case 0: return 0x80000000u;                                          // -0 + -0 ... = -0
    case 1: return c == 0 ? 0x3fc00000u : c == 1 ? 0xbfc00000u : 0x80000000u;  // cancellation to +0
    case 2: return c == 0 ? 0x7f800000u : c == 1 ? 0xff800000u : 0x3f800000u;  // inf - inf = NaN
    case 3: return 0x7f7fffffu;                                          // overflow to +inf
    case 4: return c == 0 ? 0x7fa00001u : 0x3f800000u;                   // sNaN in, canonical NaN out
    case 5: return 0x00400000u;                                          // subnormals sum to a normal
    case 6: return c == 1 ? 0x80000001u : 0x00000001u;                   // min subnormal cancellation
    case 7: return c == 0 ? 0x3f800001u : 0x33800000u;                   // tie, odd: rounds up
    case 8: return c == 0 ? 0x3f800000u : 0x33800000u;                   // tie, even: stays
    case 9: return c % 2 ? 0x0da24260u : 0x7149f2cau;                    // 1e30 + 1e-30
    case 10: return 0xff800000u;                                         // -inf stays -inf
    case 11: return c % 2 ? 0xff7fffffu : 0x7f7fffffu;                   // +-max cancel exactly
    case 12: return c == 0 ? 0x4b000000u : 0x3f000000u;                  // 2^23 + 0.5: ties at 1 ulp
    case 13: return (g.bits() & 0x807fffffu);                            // random subnormals / zeros
    case 14: return c == 0 ? 0x7f800000u : g.biased();                   // +inf absorbs
    default: return g.bits();                                            // any pattern, NaNs included
  }
}

uint32_t random_element(ref::fp32_operand_generator& g) {
  const uint32_t r = g.below(100);
  if (r < 4) return g.special();
  if (r < 40) return g.biased();
  // Moderate magnitudes with random signs: partial cancellation and every alignment distance.
  return ref::fp32_operand_generator::make(g.below(2), 118 + g.below(20), g.edge_mantissa());
}

uint32_t max_gap_of(const CosimConfig& cfg) {
  if (cfg.max_gap_cycles) return cfg.max_gap_cycles;
  const double beats = double(div_ceil(cfg.elements, kRtlLanes));
  const double input_cycles = beats + beats / double(cfg.children);  // per contribution, arms included
  return uint32_t(std::lround(2.0 * input_cycles / 0.6));
}

std::vector<Stim> make_stimulus(const CosimConfig& cfg) {
  const uint64_t max_gap = max_gap_of(cfg);
  std::mt19937_64 rng(cfg.seed);
  ref::fp32_operand_generator g(cfg.seed ^ 0x9E3779B97F4A7C15ull);
  const uint64_t slots = (cfg.packets + cfg.children - 1) / cfg.children;
  struct Open {
    uint32_t seq;
    std::vector<uint32_t> order;
    uint32_t next = 0;
  };
  std::vector<Open> open;
  std::vector<Stim> out;
  out.reserve(slots * cfg.children);
  uint64_t next_slot = 0, t = kFirstArrivalCycle;
  while (out.size() < slots * cfg.children) {
    while (open.size() < cfg.window && next_slot < slots) {
      Open o{uint32_t(next_slot++), {}, 0};
      for (uint32_t c = 0; c < cfg.children; ++c) o.order.push_back(c);
      std::shuffle(o.order.begin(), o.order.end(), rng);
      open.push_back(std::move(o));
    }
    const size_t j = size_t(rng() % open.size());
    Open& o = open[j];
    Stim s;
    s.arrival = t;
    s.child = o.order[o.next++];
    s.seq = o.seq;
    const bool corner = o.seq % 8 == 5;
    for (uint32_t i = 0; i < cfg.elements; ++i)
      s.elements.push_back(corner ? corner_element(i, s.child, g) : random_element(g));
    out.push_back(std::move(s));
    if (o.next == cfg.children) open.erase(open.begin() + long(j));
    t += rng() % (max_gap + 1);
  }
  for (Stim& s : out) {
    s.frame.assign(PacketPool::kBufferBytes, 0);
    AggregationAddressing a;
    a.src_mac = node_mac(s.child + 1);
    a.src_ip = host_ip(s.child);
    a.dst_ip = group_ip(kJob, kTree);
    PanamaHeader h;
    h.type = ElementType::fp32;
    h.tree = kTree;
    h.job = kJob;
    h.fan_in = uint16_t(cfg.children);
    h.seq = s.seq;
    h.count = uint16_t(cfg.elements);
    h.worker = uint16_t(s.child);
    const size_t n = encode_aggregation(s.frame.data(), s.frame.size(), a, h, nullptr);
    for (uint32_t i = 0; i < cfg.elements; ++i) store_be32(s.frame.data() + kElementsOffset + 4 * i, s.elements[i]);
    s.frame.resize(n);
  }
  return out;
}

std::string vcd_file_name(const std::string& f) { return vcd_base_name(f) + ".vcd"; }

uint64_t key_of(uint32_t seq) { return SlotKey{kJob, kTree, 0, seq}.packed(); }

}  // namespace

namespace {

const RtlVariant& checked_variant(const CosimConfig& cfg) {
  if (cfg.children < 2 || cfg.children > 8) throw std::invalid_argument("cosim: children must be 2..8");
  if (cfg.elements < 1 || cfg.elements > 256) throw std::invalid_argument("cosim: elements must be 1..256");
  if (cfg.window < 1) throw std::invalid_argument("cosim: window must be >= 1");
  if (cfg.packets < 1) throw std::invalid_argument("cosim: packets must be >= 1");
  const RtlVariant* variant = find_rtl_variant(cfg.rtl_top);
  if (!variant) {
    std::string known;
    for (const auto& v : rtl_variants()) known += std::string(known.empty() ? "" : ", ") + v.name;
    throw std::invalid_argument("cosim: unknown RTL top '" + cfg.rtl_top + "' (built: " + known + ")");
  }
  if (cfg.children > variant->children)
    throw std::invalid_argument("cosim: RTL top '" + cfg.rtl_top + "' takes at most " +
                                std::to_string(variant->children) + " children");
  return *variant;
}

// The model, configured like the RTL: 4 lanes, running accumulation (fan_in 2) in arrival order, a
// 4-cycle adder. Ports are fast enough that a result frame never waits for its egress lane, so the
// model's completion cycle can be read off the result's arrival time.
AcceleratorConfig model_config(const CosimConfig& cfg) {
  AcceleratorConfig acfg;
  acfg.clock_mhz = cfg.clock_mhz;
  acfg.ports = 8;
  acfg.port_gbps = 1600.0;
  acfg.lanes = kRtlLanes;
  acfg.fan_in = 2;
  acfg.adder_latency_cycles = 4;
  acfg.validate();
  return acfg;
}

// One side's result for a slot: the cycle its sum left the adder tree and its elements.
struct SlotResult {
  bool have = false;
  uint64_t cycle = 0;
  std::vector<uint32_t> elements;
};

// The model's results, from the result frames the driver received.
std::vector<SlotResult> tlm_results(const TlmDriver& drv, const AcceleratorConfig& acfg, const Clock& clk,
                                    uint64_t nslots, json& errors) {
  std::vector<SlotResult> tlm(nslots);
  const ps_t egress_ps = clk.cycles(acfg.egress_latency_cycles);
  for (const auto& r : drv.received) {
    const DecodedPacket d = decode(r.bytes.data(), r.bytes.size());
    if (d.cls != PacketClass::aggregation || !(d.hdr.flags & kFlagResult) || d.hdr.seq >= nslots) {
      errors.push_back("tlm: unexpected frame on lane " + std::to_string(r.lane) + " (class " +
                       std::to_string(int(d.cls)) + ", flags " + std::to_string(d.hdr.flags) + ", seq " +
                       std::to_string(d.hdr.seq) + ")");
      continue;
    }
    SlotResult& s = tlm[d.hdr.seq];
    if (s.have) errors.push_back("tlm: slot " + std::to_string(d.hdr.seq) + " completed twice");
    s.have = true;
    // Result frame timeline: sum leaves the adder tree (head_done) -> egress_latency -> its beats on the
    // egress lane's bus.
    const ps_t ser = clk.cycles(acfg.bus_beats(r.bytes.size()));
    const ps_t head = r.at - ser - egress_ps;
    if (head % clk.period_ps())
      errors.push_back("tlm: slot " + std::to_string(d.hdr.seq) + " result waited for its egress lane");
    s.cycle = head / clk.period_ps();
    for (uint32_t i = 0; i < d.hdr.count; ++i) s.elements.push_back(load_be32(r.bytes.data() + kElementsOffset + 4 * i));
  }
  if (drv.held) errors.push_back("tlm: " + std::to_string(drv.held) + " frames were held back at the ports");
  return tlm;
}

// The RTL's results, from the transactor's completions.
std::vector<SlotResult> rtl_results(const Transactor& xt, uint64_t nslots, json& errors) {
  for (const auto& e : xt.errors()) errors.push_back("rtl: " + e);
  if (!xt.finished()) errors.push_back("rtl: the transactor did not finish");
  std::vector<SlotResult> rtl(nslots);
  for (const auto& c : xt.completions()) {
    const uint32_t seq = uint32_t(c.key & 0xffffffffu);
    if (seq >= nslots || c.key != key_of(seq)) {
      errors.push_back("rtl: completion of an unknown slot");
      continue;
    }
    rtl[seq].have = true;
    rtl[seq].cycle = c.head_cycle;
    rtl[seq].elements = c.elements;
  }
  return rtl;
}

// Slot by slot: every element bit for bit, and the completion cycles within `tolerance`.
json scoreboard(const CosimConfig& cfg, const std::vector<Stim>& stim, const std::vector<uint64_t>& present,
                const std::vector<SlotResult>& tlm, const std::vector<SlotResult>& rtl, uint32_t tolerance) {
  const uint64_t nslots = tlm.size();
  // First and completing contribution of each slot (for the latency the cycle error is relative to).
  std::vector<uint64_t> first_present(nslots, ~0ull), last_present(nslots, 0);
  for (size_t i = 0; i < stim.size(); ++i) {
    first_present[stim[i].seq] = std::min(first_present[stim[i].seq], present[i]);
    last_present[stim[i].seq] = std::max(last_present[stim[i].seq], present[i]);
  }

  uint64_t compared = 0, mismatches = 0, mismatched_slots = 0, missing = 0, violations = 0;
  int64_t max_err = 0, min_err = 0;
  double max_pct = 0, sum_err = 0;
  uint64_t worst_slot = 0;
  json first = nullptr;
  std::map<int64_t, uint64_t> err_hist;
  struct {
    uint64_t nan = 0, inf = 0, neg_zero = 0, pos_zero = 0, subnormal = 0;
  } classes;  // special results the RTL produced in compared slots: the corner cases were exercised
  for (uint64_t s = 0; s < nslots; ++s) {
    if (!tlm[s].have || !rtl[s].have) {
      ++missing;
      ++mismatched_slots;
      if (first.is_null())
        first = json{{"slot", s}, {"missing", !tlm[s].have ? "tlm" : "rtl"}};
      continue;
    }
    ++compared;
    for (uint32_t v : rtl[s].elements) {
      const uint32_t mag = v & 0x7fffffffu;
      if (mag > 0x7f800000u) ++classes.nan;
      else if (mag == 0x7f800000u) ++classes.inf;
      else if (v == 0x80000000u) ++classes.neg_zero;
      else if (v == 0) ++classes.pos_zero;
      else if (mag < 0x00800000u) ++classes.subnormal;
    }
    bool bad = false;
    for (uint32_t i = 0; i < cfg.elements; ++i) {
      const uint32_t a = tlm[s].elements.at(i), b = rtl[s].elements.at(i);
      if (a == b) continue;
      ++mismatches;
      if (!bad && first.is_null()) {
        // The contract's answer: the running sum in arrival order, integer-only reference.
        uint32_t refv = 0;
        bool have = false;
        for (const Stim& st : stim)
          if (st.seq == s) {
            refv = have ? ref::fp32_add(refv, st.elements[i]) : st.elements[i];
            have = true;
          }
        first = json{{"slot", s},         {"element", i},
                     {"tlm", hex32(a)},   {"rtl", hex32(b)},
                     {"reference", hex32(refv)}, {"tlm_cycle", tlm[s].cycle},
                     {"rtl_cycle", rtl[s].cycle}};
      }
      bad = true;
    }
    if (bad) ++mismatched_slots;
    const int64_t err = int64_t(tlm[s].cycle) - int64_t(rtl[s].cycle);
    ++err_hist[err];
    sum_err += double(err);
    if (std::llabs(err) > int64_t(tolerance)) ++violations;
    if (std::llabs(err) > std::max(std::llabs(max_err), std::llabs(min_err))) worst_slot = s;
    max_err = std::max(max_err, err);
    min_err = std::min(min_err, err);
    const double latency = double(rtl[s].cycle - first_present[s]);
    if (latency > 0) max_pct = std::max(max_pct, 100.0 * double(std::llabs(err)) / latency);
  }
  json hist = json::object();
  for (auto& [e, n] : err_hist) hist[std::to_string(e)] = n;

  return json{
      {"slots_compared", compared},
      {"slots_missing", missing},
      {"mismatches", mismatches},
      {"mismatched_slots", mismatched_slots},
      {"first_mismatch", first},
      {"result_classes", {{"nan", classes.nan}, {"inf", classes.inf}, {"neg_zero", classes.neg_zero},
                          {"pos_zero", classes.pos_zero}, {"subnormal", classes.subnormal}}},
      {"cycle_tolerance", tolerance},
      {"cycle_violations", violations},
      {"max_cycle_error", std::max(std::llabs(max_err), std::llabs(min_err))},
      {"cycle_error_min", min_err},
      {"cycle_error_max", max_err},
      {"cycle_error_mean", compared ? sum_err / double(compared) : 0.0},
      {"cycle_error_histogram", hist},
      {"max_cycle_error_pct", max_pct},
      {"worst_cycle_slot", worst_slot},
      {"worst_cycle_tlm", compared ? tlm[worst_slot].cycle : 0},
      {"worst_cycle_rtl", compared ? rtl[worst_slot].cycle : 0}};
}

}  // namespace

json run_cosim(const CosimConfig& cfg) {
  const RtlVariant& variant = checked_variant(cfg);
  const AcceleratorConfig acfg = model_config(cfg);
  const Clock clk(cfg.clock_mhz);
  const uint32_t beats = uint32_t(div_ceil(cfg.elements, kRtlLanes));
  // Structural timing differences between the model and the RTL (docs/cosim.md): the model reads
  // the partial sum from SRAM (+sram latency per addition, read-after-write through SRAM), it may
  // fuse two queued contributions of a fresh slot into one pass (-adder latency), and the RTL spends
  // one input cycle per arm of a sub-slot (-beats per slot).
  const uint32_t tolerance = cfg.cycle_tolerance ? cfg.cycle_tolerance
                                                 : acfg.sram_latency_cycles * cfg.children +
                                                       acfg.adder_latency_cycles + beats;
  const uint64_t mask = (1ull << cfg.children) - 1;

  const std::vector<Stim> stim = make_stimulus(cfg);
  const uint64_t nslots = stim.size() / cfg.children;

  Accelerator acc("accelerator", acfg);
  TlmDriver drv("tlm_driver", acfg.ports);
  for (uint32_t p = 0; p < acfg.ports; ++p) {
    drv.out.bind(acc.rx);
    acc.tx.bind(drv.in);
  }
  JobSpec js;
  js.job = kJob;
  js.type = ElementType::fp32;
  js.trees.push_back(TreeSpec{kTree, mask, true, 0, 1ull, group_ip(kJob, kTree)});
  if (!acc.install_job(js)) throw std::runtime_error("cosim: the accelerator refused the job");

  Transactor xt("transactor", variant, cfg.clock_mhz, cfg.concurrent);
  // The RTL datapath sits where the model's adder tree does: behind the ingress parser. A replica of
  // the model's parser gives the cycle each contribution reaches the aggregation engine.
  IngressParser parser("parser_replica", acfg);
  std::vector<uint64_t> present(stim.size());
  for (size_t i = 0; i < stim.size(); ++i) {
    const Stim& s = stim[i];
    drv.inject(clk.cycles(s.arrival), s.child, &s.frame);
    present[i] = parser.reserve(s.arrival, s.frame.size()).head_out;
    xt.push(present[i], s.child, s.frame.data(), s.frame.size(), mask);
  }

  VcdFile vcd(cfg.concurrent ? cfg.vcd : "");
  if (vcd) {
    sc_core::sc_trace_file* tf = vcd.get();
    acc.trace(tf, clk.cycles(cfg.vcd_from_cycle), clk.cycles(cfg.vcd_to_cycle));
    xt.trace(tf, cfg.vcd_from_cycle, cfg.vcd_to_cycle);
    drv.trace(tf, clk.cycles(cfg.vcd_from_cycle), clk.cycles(cfg.vcd_to_cycle + 64),
              std::min(cfg.vcd_watch_element, cfg.elements - 1));
  }

  double tlm_wall = 0, rtl_wall = 0;
  uint64_t tlm_end_cycle = 0;
  if (cfg.concurrent) {
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    tlm_wall = rtl_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    tlm_end_cycle = clk.edge_at_or_after(to_ps(sc_core::sc_time_stamp()));
  } else {
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();  // the TLM pass: the transactor's clock waits for start()
    tlm_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    tlm_end_cycle = clk.edge_at_or_after(to_ps(sc_core::sc_time_stamp()));
    xt.start();
    const auto t1 = std::chrono::steady_clock::now();
    sc_core::sc_start();  // the RTL pass
    rtl_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  }
  vcd.close();

  json errors = json::array();
  const std::vector<SlotResult> tlm = tlm_results(drv, acfg, clk, nslots, errors);
  const std::vector<SlotResult> rtl = rtl_results(xt, nslots, errors);
  json j = scoreboard(cfg, stim, present, tlm, rtl, tolerance);
  if (errors.size() > 20) {
    const size_t n = errors.size();
    errors.erase(errors.begin() + 20, errors.end());
    errors.push_back("... " + std::to_string(n - 20) + " more errors");
  }
  j.update(json{
      {"rtl_top", cfg.rtl_top},
      {"packets", stim.size()},
      {"slots", nslots},
      {"children", cfg.children},
      {"elements", cfg.elements},
      {"seed", cfg.seed},
      {"max_gap_cycles", max_gap_of(cfg)},
      {"tlm_wall_s", tlm_wall},
      {"rtl_wall_s", rtl_wall},
      {"wall_ratio", tlm_wall > 0 ? rtl_wall / tlm_wall : 0.0},
      {"concurrent", cfg.concurrent},
      {"rtl_cycles", xt.cycles()},
      {"rtl_edges", xt.edges()},
      {"rtl_beats", xt.beats()},
      {"rtl_arms", xt.arms()},
      {"rtl_in_stall_cycles", xt.in_stall_cycles()},
      {"rtl_slot_stall_cycles", xt.slot_stall_cycles()},
      {"rtl_peak_slots", xt.peak_rtl_slots()},
      {"tlm_contributions", acc.stats().contributions},
      {"tlm_results", acc.stats().results_emitted},
      {"tlm_sim_cycles", tlm_end_cycle},
      {"errors", errors},
  });
  if (cfg.concurrent && !cfg.vcd.empty())
    j["vcd"] = json{{"file", vcd_file_name(cfg.vcd)},
                    {"from_cycle", cfg.vcd_from_cycle},
                    {"to_cycle", cfg.vcd_to_cycle},
                    {"watch_element", std::min(cfg.vcd_watch_element, cfg.elements - 1)}};
  return j;
}

json cosim(const CosimConfig& cfg) {
  CosimConfig main = cfg;
  main.concurrent = false;
  json j = run_isolated([&] { return run_cosim(main); });
  if (!cfg.vcd.empty()) {
    CosimConfig w = cfg;
    w.concurrent = true;
    uint64_t a, b;
    const json& f = j["first_mismatch"];
    if (f.is_object() && f.contains("tlm_cycle")) {
      a = std::min(f["tlm_cycle"].get<uint64_t>(), f["rtl_cycle"].get<uint64_t>());
      b = std::max(f["tlm_cycle"].get<uint64_t>(), f["rtl_cycle"].get<uint64_t>());
      w.vcd_watch_element = f["element"].get<uint32_t>();
    } else {
      a = std::min(j["worst_cycle_tlm"].get<uint64_t>(), j["worst_cycle_rtl"].get<uint64_t>());
      b = std::max(j["worst_cycle_tlm"].get<uint64_t>(), j["worst_cycle_rtl"].get<uint64_t>());
    }
    w.vcd_from_cycle = a > 100 ? a - 100 : 0;
    w.vcd_to_cycle = b + 100;
    json jw = run_isolated([&] { return run_cosim(w); });
    j["vcd"] = jw["vcd"];
    if (jw["mismatches"] != j["mismatches"] || jw["cycle_error_histogram"] != j["cycle_error_histogram"])
      j["errors"].push_back("the concurrent (waveform) run disagrees with the timed run");
  }
  return j;
}

std::string cosim_report(const json& j) {
  std::ostringstream os;
  auto f = [](double v, int prec) {
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(prec);
    o << v;
    return o.str();
  };
  os << "PANAMA co-simulation: TLM accelerator vs RTL '" << j["rtl_top"].get<std::string>() << "'\n"
     << "  stimulus          : " << j["packets"] << " contributions from " << j["children"] << " children into "
     << j["slots"] << " slots of " << j["elements"] << " fp32 elements (seed " << j["seed"] << ")\n"
     << "  results           : " << j["slots_compared"] << " slots compared bit for bit, " << j["mismatches"]
     << " element mismatches in " << j["mismatched_slots"] << " slots\n";
  const json& fm = j["first_mismatch"];
  if (fm.is_object()) {
    if (fm.contains("missing"))
      os << "  first divergence  : slot " << fm["slot"] << " has no result from the " << fm["missing"].get<std::string>()
         << " side\n";
    else
      os << "  first divergence  : slot " << fm["slot"] << " element " << fm["element"] << ": TLM "
         << fm["tlm"].get<std::string>() << ", RTL " << fm["rtl"].get<std::string>() << " (reference "
         << fm["reference"].get<std::string>() << "; completion cycle TLM " << fm["tlm_cycle"] << ", RTL "
         << fm["rtl_cycle"] << ")\n";
  }
  os << "  completion cycles : TLM - RTL in [" << j["cycle_error_min"] << ", " << j["cycle_error_max"] << "] (mean "
     << f(j["cycle_error_mean"].get<double>(), 2) << "), max " << f(j["max_cycle_error_pct"].get<double>(), 1)
     << "% of the slot latency; " << j["cycle_violations"] << " slots beyond the tolerance of +-"
     << j["cycle_tolerance"] << " cycles\n"
     << "  wall clock        : TLM " << f(j["tlm_wall_s"].get<double>(), 3) << " s, RTL "
     << f(j["rtl_wall_s"].get<double>(), 3) << " s (RTL/TLM " << f(j["wall_ratio"].get<double>(), 1) << "x; "
     << j["rtl_edges"] << " RTL clock edges)\n";
  if (j.contains("vcd") && j["vcd"].is_object())
    os << "  waveform          : " << j["vcd"]["file"].get<std::string>() << " (cycles " << j["vcd"]["from_cycle"]
       << ".." << j["vcd"]["to_cycle"] << ", TLM and RTL on one time axis)\n";
  for (const auto& e : j["errors"]) os << "  error             : " << e.get<std::string>() << "\n";
  return os.str();
}

}  // namespace panama::cosim
