#include "experiment/accel_bench.h"

#include "accelerator/accelerator.h"
#include "accelerator/area_model.h"
#include "common/config.h"
#include "experiment/report.h"
#include "harness/synthetic_child.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

namespace panama {

void AccelBenchConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add(p + ".children", &children, "synthetic child ports driving the accelerator", 1, 64);
  reg.add(p + ".load", &load, "offered load per child port, share of line rate", 0.001, 1.0);
  reg.add(p + ".slots", &slots, "slots (packets per child) per job", 1, 100000000);
  reg.add(p + ".jobs", &jobs, "jobs sharing the accelerator", 1, 4096);
  reg.add(p + ".trees", &trees, "aggregation trees per job", 1, 256);
  reg.add(p + ".elements", &elements, "elements per packet (0 = fill the MTU)", 0, 4500);
  reg.add_choice(p + ".element_type", &element_type, "element type", {"fp32", "bf16", "fp16"});
  reg.add(p + ".seed", &seed, "random seed of the contribution patterns", 0, INT64_MAX);
  reg.add(p + ".verify", &verify, "check every result bit-exactly");
  reg.add(p + ".cwnd_cap", &cwnd_cap, "cwnd_cap field the children write", 0, 65535);
  reg.add(p + ".vcd", &vcd, "VCD waveform file (empty: none)");
  reg.add(p + ".vcd_from_us", &vcd_from_us, "start of the traced window, us", 0.0, 1e9);
  reg.add(p + ".vcd_to_us", &vcd_to_us, "end of the traced window, us", 0.0, 1e9);
}

namespace {
ElementType parse_type(const std::string& s) {
  return s == "bf16" ? ElementType::bf16 : s == "fp16" ? ElementType::fp16 : ElementType::fp32;
}
uint32_t elements_of(const AcceleratorConfig& acc, const AccelBenchConfig& b) {
  const ElementType t = parse_type(b.element_type);
  return b.elements ? b.elements : max_elements_for_mtu(acc.mtu_bytes, t);
}
}  // namespace

double analytic_throughput_gbps(const AcceleratorConfig& acc, const AccelBenchConfig& b) {
  const ElementType t = parse_type(b.element_type);
  const double frame = double(aggregation_frame_bytes(elements_of(acc, b), t));
  const double offered = b.children * acc.port_gbps * b.load * frame / (frame + kEthWireOverheadBytes);
  const double beat_bytes = acc.datapath_bits / 8.0;
  const double datapath = acc.datapath_gbps() * frame / (std::ceil(frame / beat_bytes) * beat_bytes);
  return std::min(offered, datapath);
}

nlohmann::json run_accel_bench(const AcceleratorConfig& acc_cfg, const AccelBenchConfig& b) {
  acc_cfg.validate();
  if (b.children > acc_cfg.ports)
    throw ConfigError("invalid configuration: 'accel_bench.children' (" + std::to_string(b.children) +
                      ") exceeds 'accelerator.ports' (" + std::to_string(acc_cfg.ports) + ")");
  if (b.jobs > acc_cfg.max_jobs)
    throw ConfigError("invalid configuration: 'accel_bench.jobs' exceeds 'accelerator.max_jobs'");
  const ElementType type = parse_type(b.element_type);
  const uint32_t elements = elements_of(acc_cfg, b);
  if (elements > max_elements_for_mtu(acc_cfg.mtu_bytes, type))
    throw ConfigError("invalid configuration: 'accel_bench.elements' (" + std::to_string(elements) +
                      ") does not fit accelerator.mtu_bytes");

  const auto t_build = std::chrono::steady_clock::now();
  Accelerator acc("accelerator", acc_cfg);
  ContributionPatterns patterns(uint64_t(b.seed), type, elements);
  std::vector<std::unique_ptr<SyntheticChild>> children;
  std::vector<uint16_t> job_ids;
  for (uint32_t j = 0; j < b.jobs; ++j) job_ids.push_back(uint16_t(j));
  const uint64_t mask = b.children >= 64 ? ~0ull : ((1ull << b.children) - 1);
  for (uint16_t j : job_ids) {
    JobSpec js;
    js.job = j;
    js.type = type;
    for (uint32_t t = 0; t < b.trees; ++t)
      js.trees.push_back(TreeSpec{uint8_t(t), mask, true, 0, mask, group_ip(j, uint8_t(t))});
    if (!acc.install_job(js)) throw ConfigError("accelerator refused job " + std::to_string(j));
  }
  for (uint32_t c = 0; c < b.children; ++c) {
    ChildSpec cs;
    cs.index = c;
    cs.children = b.children;
    cs.port_gbps = acc_cfg.port_gbps;
    cs.load = b.load;
    cs.slots = b.slots;
    cs.jobs = job_ids;
    cs.trees = b.trees;
    cs.verify = b.verify && c == 0;
    cs.cwnd_cap = uint16_t(b.cwnd_cap);
    children.push_back(std::make_unique<SyntheticChild>(("child" + std::to_string(c)).c_str(), cs, patterns));
    children.back()->out.bind(acc.rx);
    acc.tx.bind(children.back()->in);
  }
  VcdFile vcd(b.vcd);
  if (vcd) acc.trace(vcd.get(), ps_t(b.vcd_from_us * 1e6), ps_t(b.vcd_to_us * 1e6));
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_build).count();

  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  vcd.close();

  const AcceleratorStats& st = acc.stats();
  uint64_t results = 0, mismatches = 0, sent = 0, expected = 0;
  for (auto& c : children) {
    results += c->results();
    mismatches += c->mismatches();
    sent += c->sent();
    expected += c->total();
  }
  const double span_ps = double(st.last_absorb_ps - st.first_rx_ps);
  const double thr = span_ps > 0 ? double(st.contribution_bytes) * 8.0 / span_ps * 1000.0 : 0.0;
  const Clock& clk = acc.clock();
  const double ns_per_cycle = double(clk.period_ps()) / 1000.0;
  const AsicArea area = estimate_asic_area(acc_cfg);
  const FpgaResources fpga = estimate_fpga_resources(acc_cfg);

  nlohmann::json drops = nlohmann::json::object();
  for (size_t r = 0; r < size_t(DropReason::count_); ++r)
    if (st.drops.n[r]) drops[std::string(kDropReasonNames[r])] = st.drops.n[r];
  nlohmann::json j = {
      {"throughput_gbps", thr},
      {"analytic_gbps", analytic_throughput_gbps(acc_cfg, b)},
      {"datapath_gbps", acc_cfg.datapath_gbps()},
      {"offered_gbps", b.children * acc_cfg.port_gbps * b.load},
      {"latency_cycles_mean", st.latency_cycles.mean()},
      {"latency_cycles_p99", st.latency_cycles.percentile(99)},
      {"latency_cycles_min", st.latency_cycles.min()},
      {"latency_cycles_max", st.latency_cycles.max()},
      {"latency_ns_mean", st.latency_cycles.mean() * ns_per_cycle},
      {"latency_ns_p99", st.latency_cycles.percentile(99) * ns_per_cycle},
      {"pipeline_depth_cycles", acc_cfg.parser_latency_cycles + acc_cfg.sram_latency_cycles +
                                    acc_cfg.adder_tree_latency_cycles() + acc_cfg.egress_latency_cycles},
      {"sram_peak_bytes", acc.sram_peak_bytes()},
      {"sram_peak_slots", acc.sram.occupancy().peak()},
      {"sram_total_slots", acc.sram.total_slots()},
      {"slot_bytes", acc.sram.slot_bytes()},
      {"slot_stalls", st.slot_stalls},
      {"stall_cycles", st.slot_stall_cycles + st.backpressure_cycles},
      {"slot_stall_cycles", st.slot_stall_cycles},
      {"backpressure_events", st.backpressure_events},
      {"backpressure_cycles", st.backpressure_cycles},
      {"contributions", st.contributions},
      {"results_emitted", st.results_emitted},
      {"results_received", results},
      {"results_expected", expected},
      {"packets_sent", sent},
      {"result_mismatches", mismatches},
      {"drops", drops},
      {"adder_passes", acc.adders.passes()},
      {"area_mm2", area.total_mm2},
      {"area", {{"process_nm", area.process_nm}, {"sram_mm2", area.sram_mm2}, {"slot_table_mm2", area.slot_table_mm2},
                {"fp_adders_mm2", area.fp_adders_mm2}, {"parser_mm2", area.parser_mm2}, {"fifos_mm2", area.fifos_mm2},
                {"egress_mux_mm2", area.egress_mux_mm2}}},
      {"fpga", {{"lut", fpga.lut}, {"ff", fpga.ff}, {"bram36", fpga.bram36}, {"dsp", fpga.dsp}}},
      {"sim_time_us", double(to_ps(sc_core::sc_time_stamp())) / 1e6},
      {"kernel_events", acc.events.executed()},
      {"wall_s", wall},
      {"build_s", build_s},
      {"sim_packets_per_s", wall > 0 ? double(st.contributions) / wall : 0.0},
      {"clock_mhz_effective", clk.effective_mhz()},
  };
  return j;
}

}  // namespace panama
