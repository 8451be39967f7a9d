#include "harness/validate.h"

#include "common/stats.h"
#include "control/controller.h"
#include "harness/fabrics.h"
#include "harness/isolated.h"
#include "experiment/scenario.h"
#include "network/pswitch.h"
#include "network/topology.h"
#include "protocol/packet.h"
#include "transport/dctcp.h"
#include "transport/panama_worker.h"
#include "transport/ring_allreduce.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>

namespace panama {

namespace {

using nlohmann::json;

constexpr double kLineGbps = 100.0;
constexpr uint64_t kGradientBytes = 8'000'000;  // 8 MB: ~5,500 packets, ~0.7 ms at line rate
// The ring's steps each wait one round trip for their last ACK (sender-side completion), 2(N - 1) of
// them, so its bound is approached when a step's transfer is long against the RTT (12 us across a
// k = 4 fat-tree): 32 MB makes a step of 8 workers 4 MB, ~340 us.
constexpr uint64_t kRingGradientBytes = 32'000'000;
// Payload per wire byte of a full aggregation frame: 362 FP32 elements (1448 B) in 1514 frame bytes +
// 24 B preamble, FCS and gap; of a full TCP segment: 1460 B in 1538.
const double kPanamaFraction = double(max_elements_for_mtu(kMtuBytes, ElementType::fp32) * 4) /
                               double(aggregation_frame_bytes(max_elements_for_mtu(kMtuBytes, ElementType::fp32),
                                                              ElementType::fp32) + kEthWireOverheadBytes);
constexpr double kTcpFraction = 1460.0 / (1460 + 40 + kEthHeaderBytes + kEthWireOverheadBytes);
constexpr double kPanamaFrameWire = double(kMtuWireBytes);

// Accelerators wide enough that the network, not the datapath, is the bound: the wide accelerator
// (2048-bit buses and SRAM rows, 64 FP32 lanes) at 500 MHz = 1024 Gbps per stage, above the 8 x 94 Gbps
// of partial sums a spine with eight children takes in here.
AcceleratorConfig validation_accelerator() {
  AcceleratorConfig a = wide_accelerator();
  a.clock_mhz = 500;
  // An 8-input adder tree: a root with eight children sums a slot's contributions in one pass instead
  // of eight read-modify-write passes on the same slot (which cap a running accumulator at ~80 % here).
  a.fan_in = 8;
  return a;
}

TopologyConfig fat_tree4(bool pswitches) {
  TopologyConfig t;
  t.type = "fat_tree";
  t.k = 4;
  t.host_gbps = t.fabric_gbps = t.core_gbps = kLineGbps;
  t.pswitches = pswitches ? "all" : "none";
  return t;
}

// Workers one per leaf (leaf-spine), or spread over the pods and then the edges of a k = 4 fat-tree, so
// that every tree crosses the upper tiers.
std::vector<uint32_t> spread_workers(bool fat_tree, uint32_t n) {
  static const uint32_t ft[] = {0, 4, 8, 12, 2, 6, 10, 14};
  std::vector<uint32_t> w;
  for (uint32_t i = 0; i < n; ++i) w.push_back(fat_tree ? ft[i] : i);
  return w;
}

// All-reduce of kGradientBytes by PANAMA workers started together on an idle fabric: goodput G x 8 /
// the last worker's finish. `cap` nonzero: every worker waits for the slowest (the datapath case).
json panama_allreduce(const TopologyConfig& topo, const AcceleratorConfig& acc, const std::vector<uint32_t>& hosts,
                      uint32_t trees) {
  return run_isolated([=] {
    Fabric f("fabric", topo, acc);
    ControllerConfig cc;
    cc.threshold_mb = 0;
    Controller c(f, cc);
    JobPlan plan = c.admit(1, hosts, kGradientBytes, ElementType::fp32, trees);
    if (!plan.aggregated) throw std::runtime_error("validate: job not aggregated: " + plan.fallback_reason);
    std::vector<std::unique_ptr<PanamaWorker>> w;
    for (uint32_t r = 0; r < hosts.size(); ++r) {
      w.push_back(std::make_unique<PanamaWorker>(*f.hosts[hosts[r]], plan, r, kGradientBytes));
      w.back()->start(0, 0);
    }
    sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_MS));
    // No hidden queue: every accelerator's aggregated output stayed within the bound its design
    // guarantees (Accelerator::egress_frame_bound).
    bool bounded = true;
    uint64_t egress_peak = 0;
    for (auto& sw : f.switches)
      if (auto* ps = dynamic_cast<PSwitch*>(sw.get())) {
        egress_peak = std::max<uint64_t>(egress_peak, ps->accelerator().egress_peak_frames());
        bounded = bounded && ps->accelerator().egress_peak_frames() <= ps->accelerator().egress_frame_bound();
      }
    ps_t end = 0;
    uint64_t mismatches = 0, done = 0;
    for (auto& x : w) {
      end = std::max(end, x->stats().finish_ps);
      mismatches += x->stats().mismatches;
      done += x->stats().iterations_done;
    }
    return json{{"gbps", end ? double(kGradientBytes) * 8 / double(end) * 1e3 : 0.0},
                {"trees", plan.trees.size()},
                {"mismatches", mismatches},
                {"done", done == hosts.size()},
                {"egress_bounded", bounded},
                {"egress_peak", egress_peak},
                {"lossless_drops", f.lossless_drops()}};
  });
}

json ring_allreduce(const TopologyConfig& topo, const std::vector<uint32_t>& hosts) {
  return run_isolated([=] {
    Fabric f("fabric", topo);
    DctcpTransport tcp(f, DctcpConfig{});
    RingAllReduce ring(f, tcp, hosts, kRingGradientBytes);
    ring.start(0);
    sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_MS));
    return json{{"gbps", ring.done() ? double(kRingGradientBytes) * 8 / double(ring.duration_ps()) * 1e3 : 0.0}};
  });
}

// A case: its group and name (known without running it) and the run.
struct Case {
  std::string group, name;
  std::function<ValidationResult()> run;
};
using Cases = std::vector<Case>;

void add(Cases& cases, const std::string& group, const std::string& name, std::function<ValidationResult()> fn) {
  cases.push_back(Case{group, name, [group, name, fn] {
                         ValidationResult r = fn();
                         r.group = group;
                         r.name = name;
                         return r;
                       }});
}

void idle_allreduce_cases(Cases& cases) {
  for (bool ft : {false, true})
    for (uint32_t n : {2u, 4u, 8u})
      for (uint32_t trees : {1u, 4u}) {
        const std::string name = std::string(trees == 1 ? "single_tree" : "panama") + " " +
                                 (ft ? "fat-tree k4" : "leaf-spine") + " N=" + std::to_string(n) + " T=" +
                                 std::to_string(trees);
        add(cases, "idle_allreduce", name, [=] {
          ValidationResult r;
          r.bound = "line rate x payload fraction (1448/1538)";
          r.expected = kLineGbps * kPanamaFraction;
          r.unit = "Gbps";
          r.lo = 0.95;
          r.hi = 1.0;
          // Leaf-spine: one worker per leaf, T spines (the T tree roots; each uplink then carries 1/T of
          // the slots at 100/T Gbps). Fat-tree: the four cores are the roots.
          const TopologyConfig t = ft ? fat_tree4(true) : leaf_spine_config(n, trees, 1, true);
          const json j = panama_allreduce(t, validation_accelerator(), spread_workers(ft, n), trees);
          r.measured = j["gbps"].get<double>();
          r.extra_ok = j["done"].get<bool>() && j["mismatches"].get<uint64_t>() == 0 &&
                       j["trees"].get<size_t>() == trees && j["egress_bounded"].get<bool>() &&
                       j["lossless_drops"].get<uint64_t>() == 0;
          r.note = "trees " + std::to_string(j["trees"].get<size_t>()) + ", mismatches " +
                   std::to_string(j["mismatches"].get<uint64_t>());
          return r;
        });
      }
  for (bool ft : {false, true})
    for (uint32_t n : {2u, 4u, 8u})
      add(cases, "idle_allreduce", std::string("ring ") + (ft ? "fat-tree k4" : "leaf-spine") + " N=" + std::to_string(n), [=] {
        ValidationResult r;
        r.bound = "line rate x payload fraction (1460/1538) x N / (2(N-1))";
        r.expected = kLineGbps * kTcpFraction * n / (2.0 * (n - 1));
        r.unit = "Gbps";
        r.lo = 0.85;
        r.hi = 1.0;
        // The ring in host order (rack by rack), as a topology-aware ring is built: each edge switch then
        // sends at most one ring flow up, so no two flows collide on an ECMP uplink.
        std::vector<uint32_t> hosts = spread_workers(ft, n);
        std::sort(hosts.begin(), hosts.end());
        const json j = ring_allreduce(ft ? fat_tree4(false) : leaf_spine_config(n, 1, 1, false), hosts);
        r.measured = j["gbps"].get<double>();
        return r;
      });
}

// `jobs` PANAMA jobs of `trees` trees each, and N long DCTCP flows, all into host 0 of leaf 0: its
// downlink is the one bottleneck every tree (its results) and every flow crosses. The other worker of
// each job sits on leaf 1; the TCP senders on leaf 0. Measured over [2, 5) ms, after DCTCP converged.
// `fabric_delay_ns` moves the trees' loop against the TCP flows' by a fraction of a frame time: a fair
// split must not depend on it (no traffic phase effect, see topology.host_tx_jitter_ns).
json sharing(uint32_t trees, uint32_t flows, uint32_t jobs, double fabric_delay_ns = 1000.0) {
  return run_isolated([=] {
    const uint32_t hpl = flows + 1 > jobs ? flows + 1 : jobs;
    TopologyConfig t = leaf_spine_config(2, trees, hpl, true);
    t.fabric_delay_ns = fabric_delay_ns;
    Fabric f("fabric", t, validation_accelerator());
    std::vector<uint32_t> tcp_hosts{0};
    for (uint32_t i = 1; i <= flows; ++i) tcp_hosts.push_back(i);
    DctcpTransport tcp(f, DctcpConfig{}, tcp_hosts);  // before the workers: they chain in front of it
    ControllerConfig cc;
    cc.threshold_mb = 0;
    Controller c(f, cc);
    const uint64_t G = 4'000'000'000ull;  // more than the run can reduce
    std::vector<std::unique_ptr<PanamaWorker>> w0;  // each job's worker on host 0
    std::vector<std::unique_ptr<PanamaWorker>> others;
    for (uint32_t j = 0; j < jobs; ++j) {
      const std::vector<uint32_t> hosts{0, hpl + j};
      JobPlan plan = c.admit(uint16_t(j + 1), hosts, G, ElementType::fp32, trees);
      if (!plan.aggregated || plan.trees.size() != trees) throw std::runtime_error("validate: sharing job not placed");
      w0.push_back(std::make_unique<PanamaWorker>(*f.hosts[0], plan, 0, G));
      others.push_back(std::make_unique<PanamaWorker>(*f.hosts[hpl + j], plan, 1, G));
      w0.back()->start(0, 0);
      others.back()->start(0, 0);
    }
    std::vector<uint64_t> ids;
    for (uint32_t i = 1; i <= flows; ++i) ids.push_back(tcp.start_flow(*f.hosts[i], *f.hosts[0], 4'000'000'000ull, 0));
    struct Sample : EventHandler {
      std::function<void()> fn;
      void on_event(uint32_t, void*, uint64_t) override { fn(); }
    };
    const ps_t t0 = ps_t(2e9), t1 = ps_t(5e9);
    std::vector<uint64_t> p0(jobs), p1(jobs), u0(flows), u1(flows);
    Sample a, b;
    a.fn = [&] {
      for (uint32_t j = 0; j < jobs; ++j) p0[j] = w0[j]->stats().results;
      for (uint32_t i = 0; i < flows; ++i) u0[i] = tcp.flow(ids[i]).snd_una;
    };
    b.fn = [&] {
      for (uint32_t j = 0; j < jobs; ++j) p1[j] = w0[j]->stats().results;
      for (uint32_t i = 0; i < flows; ++i) u1[i] = tcp.flow(ids[i]).snd_una;
    };
    f.events.schedule(t0, &a, 0);
    f.events.schedule(t1, &b, 0);
    sc_core::sc_start(sc_core::sc_time(double(t1 + 1), sc_core::SC_PS));
    // Shares of the bottleneck in wire bytes: full aggregation frames (1538 B) and full TCP segments.
    const double span_s = double(t1 - t0) * 1e-12;
    json pj = json::array(), tj = json::array();
    double total = 0;
    for (uint32_t j = 0; j < jobs; ++j) {
      const double gbps = double(p1[j] - p0[j]) * kPanamaFrameWire * 8 / span_s * 1e-9;
      pj.push_back(gbps);
      total += gbps;
    }
    std::vector<double> tcp_gbps;
    for (uint32_t i = 0; i < flows; ++i) {
      const double gbps = double(u1[i] - u0[i]) / kTcpFraction * 8 / span_s * 1e-9;
      tcp_gbps.push_back(gbps);
      tj.push_back(gbps);
      total += gbps;
    }
    uint64_t ce = 0;
    for (auto& x : w0) ce += x->stats().results_ce;
    return json{{"panama_wire_gbps", pj}, {"tcp_wire_gbps", tj}, {"total_gbps", total}, {"jain_tcp", jain_index(tcp_gbps)},
                {"results_ce", ce}, {"lossless_drops", f.lossless_drops()}};
  });
}

void sharing_cases(Cases& cases) {
  struct Point {
    uint32_t jobs, trees, n;
    double fabric_delay_ns;
  };
  std::vector<Point> points;
  for (uint32_t jobs : {1u, 2u})
    for (uint32_t trees : {1u, 4u})
      for (uint32_t n : {1u, 4u, 8u}) points.push_back({jobs, trees, n, 1000.0});
  // The most phase-sensitive point (one tree, one flow) with the fabric links 45 ns (a third of a
  // 100 Gbps frame time) and 500 ns longer.
  for (double d : {1045.0, 1500.0}) points.push_back({1, 1, 1, d});
  for (const Point& pt : points) {
    const uint32_t jobs = pt.jobs, trees = pt.trees, n = pt.n;
    const double fd = pt.fabric_delay_ns;
    std::string name = std::to_string(jobs) + " job" + (jobs > 1 ? "s" : "") + " x T=" + std::to_string(trees) +
                       " beside N=" + std::to_string(n) + " DCTCP";
    if (fd != 1000.0) name += ", fabric links " + std::to_string(int(fd)) + " ns";
    add(cases, "sharing", name, [=] {
          ValidationResult r;
          r.bound = "each tree one flow: T/(N+jobs*T) of the bottleneck per job";
          r.expected = double(trees) / double(n + jobs * trees);
          r.unit = "share";
          r.lo = 0.8;
          r.hi = 1.2;
          const json j = sharing(trees, n, jobs, fd);
          double worst = r.expected, total = j["total_gbps"].get<double>();
          // The job farthest from its fair share is the one judged.
          for (const auto& g : j["panama_wire_gbps"]) {
            const double s = g.get<double>() / total;
            if (std::abs(s - r.expected) >= std::abs(worst - r.expected)) worst = s;
          }
          r.measured = worst;
          const double jn = j["jain_tcp"].get<double>();
          r.extra_ok = (n == 1 || jn >= 0.95) && j["lossless_drops"].get<uint64_t>() == 0;
          char buf[160];
          std::snprintf(buf, sizeof buf, "link %.1f Gbps, TCP Jain %.3f, CE results %llu", total, jn,
                        (unsigned long long)j["results_ce"].get<uint64_t>());
          r.note = buf;
          return r;
        });
  }
}

// The busiest accelerator stage's cycles per slot on the 2-worker leaf-spine (one tree at the spine):
// a leaf's parser takes its worker's contribution and the result coming down (2 frames), the spine's
// parser the two leaves' partial sums (2 frames); an egress lane side carries one frame per slot; the
// adder tree one pass per contribution. Goodput bound = slot payload / (cycles x period), and the line.
double datapath_bound_gbps(const AcceleratorConfig& a) {
  const uint32_t count = max_elements_for_mtu(kMtuBytes, ElementType::fp32);
  const uint64_t frame = aggregation_frame_bytes(count, ElementType::fp32);
  const uint64_t parser = 2 * a.bus_beats(frame), egress = a.bus_beats(frame);
  const uint64_t adder = 2 * ((count + a.lanes - 1) / a.lanes);
  const uint64_t cycles = std::max({parser, egress, adder});
  const double dp = double(count) * 4 * 8 / (double(cycles) * 1e3 / a.clock_mhz);
  return std::min(dp, kLineGbps * kPanamaFraction);
}

void datapath_cases(Cases& cases) {
  for (uint32_t bits : {256u, 512u})
    add(cases, "datapath", "2 workers, " + std::to_string(bits) + "-bit datapath at 250 MHz", [=] {
      AcceleratorConfig a;
      a.datapath_bits = bits;
      a.sram_width_bits = bits;
      ValidationResult r;
      r.bound = "busiest stage: 2 frames x ceil(1514 B / bus) cycles per slot";
      r.expected = datapath_bound_gbps(a);
      r.unit = "Gbps";
      r.lo = 0.97;
      r.hi = 1.03;
      const json j = panama_allreduce(leaf_spine_config(2, 1, 1, true), a, {0, 1}, 1);
      r.measured = j["gbps"].get<double>();
      r.extra_ok = j["done"].get<bool>() && j["mismatches"].get<uint64_t>() == 0 && j["egress_bounded"].get<bool>() &&
                   j["lossless_drops"].get<uint64_t>() == 0;
      r.note = "accelerator egress peak " + std::to_string(j["egress_peak"].get<uint64_t>()) + " frames (bounded)";
      return r;
    });
}

// Three 4-worker PANAMA jobs packed on a 4-leaf leaf-spine of PSwitches (so leaves and spines hold
// several jobs' slots) beside web-search flows at 85 % load, ECN off, XOFF/XON 64/32 KiB.
ScenarioConfig stress_scenario(const std::string& cdf, const std::string& scheduler, uint32_t buffer_kib) {
  ScenarioConfig s;
  s.name = "lossless-stress";
  s.duration_us = 3000;
  s.stop_when_jobs_done = false;
  s.placement = "spread";
  s.topo = leaf_spine_config(4, 2, 4, true);
  s.topo.sw.ecn = false;
  s.topo.sw.scheduler = scheduler;
  s.topo.sw.buffer_kib = buffer_kib;
  s.topo.sw.pfc_xoff_kib = 64;
  s.topo.sw.pfc_xon_kib = 32;
  s.accel = validation_accelerator();
  s.controller.threshold_mb = 0;
  for (int i = 0; i < 3; ++i)
    s.jobs.push_back({{"model", "resnet50"}, {"workers", "4"}, {"iterations", "2"}, {"protocol", "panama"},
                      {"compute_us", "50"}, {"gradient_mb", "4"}});
  s.flows.cdf = cdf;
  s.flows.load = 0.85;
  s.flows.duration_us = 2000;
  return s;
}

void lossless_cases(Cases& cases, const std::string& cdf) {
  for (std::string sched : {"strict", "drr"})
    add(cases, "lossless", "3 jobs + 85 % web search, " + sched + ", ECN off, 4 MiB", [=] {
      ValidationResult r;
      r.bound = "lossless drops";
      r.unit = "frames";
      r.expected = 0;
      const json j = run_isolated([&] { return run_scenario(stress_scenario(cdf, sched, 4096)); });
      r.measured = double(j["drops_lossless"].get<uint64_t>());
      r.lo = r.hi = 0;
      r.extra_ok = r.measured == 0;
      r.note = "drops (all classes) " + std::to_string(j["drops_total"].get<uint64_t>()) + ", PAUSE frames " +
               std::to_string(j["network"]["pause_sent"].get<uint64_t>());
      return r;
    });
  add(cases, "lossless", "the same with a 512 KiB buffer (strict)", [=] {
    ValidationResult r;
    r.bound = "refused before simulation";
    r.unit = "refused";
    r.expected = 1;
    r.lo = r.hi = 1;
    try {
      run_isolated([&] { return run_scenario(stress_scenario(cdf, "strict", 512)); });
      r.measured = 0;
      r.note = "accepted";
    } catch (const std::exception& e) {
      const std::string m = e.what();
      r.measured = m.find("buffer_kib") != std::string::npos ? 1 : 0;
      r.note = m.substr(0, m.find(';'));
    }
    r.extra_ok = r.measured == 1;
    return r;
  });
}

}  // namespace

std::vector<ValidationResult> run_validation(const ValidateOptions& opt) {
  Cases cases;
  idle_allreduce_cases(cases);
  sharing_cases(cases);
  datapath_cases(cases);
  lossless_cases(cases, opt.flows_cdf.empty() ? std::string(PANAMA_SOURCE_DIR) + "/testbench/data/flows/websearch.cdf"
                                              : opt.flows_cdf);
  std::vector<ValidationResult> out;
  for (auto& c : cases)
    if (opt.only.empty() || c.group.find(opt.only) != std::string::npos || c.name.find(opt.only) != std::string::npos)
      out.push_back(c.run());
  return out;
}

json to_json(const std::vector<ValidationResult>& rs) {
  json a = json::array();
  for (const auto& r : rs)
    a.push_back(json{{"group", r.group}, {"case", r.name},   {"bound", r.bound},    {"expected", r.expected},
                     {"measured", r.measured}, {"ratio", r.ratio()}, {"lo", r.lo}, {"hi", r.hi},
                     {"unit", r.unit},   {"note", r.note},   {"pass", r.pass()}});
  return a;
}

std::string format_table(const std::vector<ValidationResult>& rs) {
  std::ostringstream o;
  char line[512];
  std::snprintf(line, sizeof line, "%-48s %10s %10s %7s  %-4s  %s\n", "case", "bound", "measured", "ratio", "pass",
                "notes");
  o << line;
  for (const auto& r : rs) {
    std::snprintf(line, sizeof line, "%-48s %10.4g %10.4g %7.3f  %-4s  %s%s%s\n", r.name.c_str(), r.expected,
                  r.measured, r.ratio(), r.pass() ? "yes" : "NO", r.unit.c_str(), r.note.empty() ? "" : "; ",
                  r.note.c_str());
    o << line;
  }
  return o.str();
}

}  // namespace panama
