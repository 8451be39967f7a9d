// PANAMA end to end: the worker library (trees, per-tree windows, cwnd_cap, timeouts) over a fabric of
// PSwitches installed by the controller, and the ML job model on top of it. Every simulation runs in its
// own process (run_isolated). Results are checked bit-exactly: the workers' element patterns have sums
// that are exact in FP32 in any order (transport/panama_worker.h).
//
// Common fabric: leaf-spine, every switch a PSwitch, 100 Gbps links, 1 us propagation per link. Packets
// carry 362 FP32 elements (1448 B payload, 1514-byte frames, 1538 B on the wire with preamble and gap).
#define BOOST_TEST_MODULE panama
#include <boost/test/unit_test.hpp>

#include "common/config.h"
#include "common/stats.h"
#include "control/controller.h"
#include "harness/fabrics.h"
#include "harness/isolated.h"
#include "network/pswitch.h"
#include "network/topology.h"
#include "transport/dctcp.h"
#include "transport/panama_worker.h"
#include "workload/ml_job.h"
#include "workload/model_table.h"

#include <algorithm>
#include <functional>
#include <memory>

using namespace panama;
using nlohmann::json;

namespace {

constexpr uint32_t kEpp = 362;                     // elements per packet at the 1500-byte MTU
constexpr uint64_t kPacketBytes = kEpp * 4;        // 1448 B of gradient per packet

// Fabrics: leaf_spine_config (every switch a PSwitch) and, where the network (not the adder datapath)
// must be the bottleneck, wide_accelerator() (harness/fabrics.h: 512 Gbps of additions against the
// 400 Gbps a leaf's four 100 Gbps hosts offer).

ControllerConfig no_threshold() {
  ControllerConfig c;
  c.threshold_mb = 0;  // tests use small gradients; the 40 MB rule is tested by the fallback case
  return c;
}

// Runs `iterations` all-reduces of a set of workers back to back (iteration i+1 starts when every
// worker has finished iteration i) and records the time span.
class Rounds : public EventHandler {
 public:
  Rounds(Fabric& f, std::vector<PanamaWorker*> w, uint32_t iterations, ps_t at)
      : f_(f), w_(std::move(w)), iterations_(iterations) {
    for (auto* x : w_) x->set_on_done(this, 0);
    f_.ctx.events.schedule(at, this, 1);
  }
  void on_event(uint32_t kind, void*, uint64_t) override {
    if (kind == 1) {  // first start
      start_ps = f_.ctx.now();
      if (on_start) on_start();
      launch();
      return;
    }
    if (++done_ < w_.size()) return;
    done_ = 0;
    if (++iteration_ < iterations_) {
      launch();
      return;
    }
    finish_ps = f_.ctx.now();
    if (on_finish) on_finish();
  }
  ps_t start_ps = 0, finish_ps = 0;
  std::function<void()> on_start, on_finish;  // test-only hooks (not on a hot path)
  ps_t stagger_ps = 0;  // first iteration only: rank r starts r x stagger later (a straggler pattern)

 private:
  void launch() {
    for (size_t r = 0; r < w_.size(); ++r)
      w_[r]->start(iteration_, f_.ctx.now() + (iteration_ == 0 ? ps_t(r) * stagger_ps : 0));
  }
  Fabric& f_;
  std::vector<PanamaWorker*> w_;
  uint32_t iterations_, iteration_ = 0;
  size_t done_ = 0;
};

struct AccelTotals {
  uint64_t slot_stalls = 0, drops = 0, retransmits_answered = 0, contributions = 0;
};
AccelTotals accel_totals(Fabric& f) {
  AccelTotals t;
  for (auto& sw : f.switches) {
    const auto& s = dynamic_cast<PSwitch&>(*sw).accelerator().stats();
    t.slot_stalls += s.slot_stalls;
    t.drops += s.drops.total();
    t.retransmits_answered += s.retransmits_answered;
    t.contributions += s.contributions;
  }
  return t;
}

json workers_json(const std::vector<std::unique_ptr<PanamaWorker>>& w) {
  json a = json::array();
  for (auto& x : w) a.push_back(x->to_json());
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(panama_worker)

BOOST_AUTO_TEST_CASE(four_trees_give_exact_results_and_balanced_packets) {
  // 8 workers on 2 leaves x 4 hosts, 4 spines (uplinks 4 x 100 / 4 = 100 Gbps, non-blocking), 4 trees
  // (one rooted at each spine), wide accelerators. G = 1001 packets x 1448 B: packet p goes to tree
  // p mod 4, so the trees get ceil/floor(1001 / 4) = 251, 250, 250, 250 packets (differ by at most 1).
  // Two iterations. Expected per worker and iteration: 1001 results, each bit-exact (0 mismatches), no
  // retransmission (no loss), no frame dropped anywhere. Time: each worker's host link must carry 1001
  // frames of 1538 wire bytes = 123.2 us per iteration at 100 Gbps; the trees spread the load over the
  // spines so that is the bound; allowed up to 20 % more for the pipeline fill (one RTT, a few us) and
  // window ramp-up.
  json j = run_isolated([] {
    Fabric f("fabric", leaf_spine_config(2, 4, 4), wide_accelerator());
    Controller c(f, no_threshold());
    std::vector<uint32_t> hosts{0, 1, 2, 3, 4, 5, 6, 7};
    JobPlan plan = c.admit(1, hosts, 1001 * kPacketBytes, ElementType::fp32, 4);
    std::vector<std::unique_ptr<PanamaWorker>> w;
    std::vector<PanamaWorker*> raw;
    for (uint32_t r = 0; r < hosts.size(); ++r) {
      w.push_back(std::make_unique<PanamaWorker>(*f.hosts[hosts[r]], plan, r, 1001 * kPacketBytes));
      raw.push_back(w.back().get());
    }
    Rounds rounds(f, raw, 2, 0);
    sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_MS));
    return json{{"aggregated", plan.aggregated}, {"trees", plan.trees.size()},
                {"workers", workers_json(w)},    {"drops", f.total_drops()},
                {"accel_drops", accel_totals(f).drops}, {"us", double(rounds.finish_ps - rounds.start_ps) * 1e-6}};
  });
  BOOST_TEST_MESSAGE("4 trees, 8 workers, 2 x 1001 packets: " << j["us"] << " us");
  BOOST_REQUIRE(j["aggregated"].get<bool>());
  BOOST_REQUIRE(j["trees"].get<size_t>() == 4u);
  for (auto& w : j["workers"]) {
    BOOST_TEST(w["iterations_done"].get<uint32_t>() == 2u);
    BOOST_TEST(w["results"].get<uint64_t>() == 2 * 1001u);
    BOOST_TEST(w["verified"].get<uint64_t>() == 2 * 1001u);
    BOOST_TEST(w["mismatches"].get<uint64_t>() == 0u);
    BOOST_TEST(w["retransmits"].get<uint64_t>() == 0u);
    uint64_t lo = ~0ull, hi = 0;
    for (auto& t : w["trees"]) {
      lo = std::min(lo, t["sent"].get<uint64_t>());
      hi = std::max(hi, t["sent"].get<uint64_t>());
    }
    BOOST_TEST(hi - lo <= 2u);  // 1 per iteration: 502 on tree 0, 500 on the others over 2 iterations
    BOOST_TEST(w["trees"][0]["sent"].get<uint64_t>() == 2 * 251u);
    BOOST_TEST(w["trees"][3]["sent"].get<uint64_t>() == 2 * 250u);
  }
  BOOST_TEST(j["drops"].get<uint64_t>() == 0u);
  BOOST_TEST(j["accel_drops"].get<uint64_t>() == 0u);
  const double bound_us = 1001 * 1538 * 8 / 100e3;  // 123.2 us per iteration
  BOOST_TEST(j["us"].get<double>() >= 2 * bound_us);
  BOOST_TEST(j["us"].get<double>() <= 2 * 1.2 * bound_us);
}

BOOST_AUTO_TEST_CASE(two_jobs_share_pswitches_fairly) {
  // Two jobs of 4 workers interleaved on the same 8 hosts' racks (job 1: hosts 0,2,4,6; job 2: 1,3,5,7),
  // 4 trees each over the same 4 spines and both leaves: every accelerator holds both jobs (memory share
  // packet_memory / 2). Default accelerators (128 Gbps of additions each), so the shared leaf
  // accelerators are the bottleneck the jobs contend for. Same gradient (2000 packets), 3 iterations,
  // started together. Symmetric load, so the fair outcome is equal aggregation throughput; Jain's index
  // (sum x)^2 / (n sum x^2) must be >= 0.9 (1 = equal; 0.9 = a 1 : 2 split for two jobs). Results exact,
  // no drops.
  json j = run_isolated([] {
    Fabric f("fabric", leaf_spine_config(2, 4, 4));
    Controller c(f, no_threshold());
    const uint64_t G = 2000 * kPacketBytes;
    std::vector<std::vector<uint32_t>> hosts{{0, 2, 4, 6}, {1, 3, 5, 7}};
    std::vector<JobPlan> plans;
    for (uint16_t k = 0; k < 2; ++k) plans.push_back(c.admit(uint16_t(k + 1), hosts[k], G, ElementType::fp32, 4));
    PanamaWorkerConfig pc;
    pc.init_cwnd = 1;  // see cwnd_cap test: the first window must not exceed the (later) shrunken cap
    std::vector<std::unique_ptr<PanamaWorker>> w;
    std::vector<std::unique_ptr<Rounds>> rounds;
    for (uint16_t k = 0; k < 2; ++k) {
      std::vector<PanamaWorker*> raw;
      for (uint32_t r = 0; r < 4; ++r) {
        w.push_back(std::make_unique<PanamaWorker>(*f.hosts[hosts[k][r]], plans[k], r, G, pc));
        raw.push_back(w.back().get());
      }
      rounds.push_back(std::make_unique<Rounds>(f, raw, 3, 0));
    }
    sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_MS));
    json gbps = json::array();
    for (auto& r : rounds) gbps.push_back(3.0 * double(G) * 8 / double(r->finish_ps - r->start_ps) * 1e3);
    uint64_t bad = 0, results = 0;
    for (auto& x : w) {
      bad += x->stats().mismatches;
      results += x->stats().results;
    }
    return json{{"gbps", gbps}, {"mismatches", bad}, {"results", results}, {"drops", f.total_drops()},
                {"stalls", accel_totals(f).slot_stalls}};
  });
  std::vector<double> x{j["gbps"][0].get<double>(), j["gbps"][1].get<double>()};
  BOOST_TEST_MESSAGE("two jobs: " << x[0] << " / " << x[1] << " Gbps, Jain " << jain_index(x));
  BOOST_TEST(jain_index(x) >= 0.9);
  BOOST_TEST(j["results"].get<uint64_t>() == 8 * 3 * 2000u);
  BOOST_TEST(j["mismatches"].get<uint64_t>() == 0u);
  BOOST_TEST(j["drops"].get<uint64_t>() == 0u);
}

namespace {
// Four jobs of 8 workers each on the same 8 hosts (every host runs a worker of every job: the workers
// chain as host receivers), 4 trees each, on accelerators with only 64 KiB of packet memory: 44 slots of
// 1472 B, 11 per job, so 11 / 4 = 2 per tree at a leaf (it carries all 4 trees of each job) and 11 at a
// spine (one tree per job): cwnd_cap = 2. 400 packets per job, one iteration. Rank r of every job starts
// r x 5 us late (stragglers): early workers send ahead, so the slots they open wait for the late ones,
// and the number of open slots per tree is bounded only by how far the early workers may run ahead:
// their window. (Started in lockstep, slots complete as fast as they open and even huge windows hold
// few slots: the backlog then sits in NIC queues, not in accelerator memory.)
json four_jobs_small_memory(bool use_cap) {
  return run_isolated([use_cap] {
    AcceleratorConfig ac;
    ac.sram_kib = 64;
    Fabric f("fabric", leaf_spine_config(2, 4, 4), ac);
    Controller c(f, no_threshold());
    const uint64_t G = 400 * kPacketBytes;
    std::vector<uint32_t> hosts{0, 1, 2, 3, 4, 5, 6, 7};
    std::vector<JobPlan> plans;
    for (uint16_t k = 1; k <= 4; ++k) plans.push_back(c.admit(k, hosts, G, ElementType::fp32, 4));
    PanamaWorkerConfig pc;
    pc.use_cwnd_cap = use_cap;
    pc.max_window = 4096;
    // Job 1 was admitted alone and its plan says 11 slots per tree; the cap shrinks as jobs 2-4 arrive.
    // Starting at 1 packet keeps the first window within any cap until the first result carries the
    // current one. (Without the cap the window grows to max_window regardless.)
    pc.init_cwnd = use_cap ? 1 : 64;
    // No timeout during the run: parked contributions can wait long without the cap, and a retransmission
    // would only add a duplicate. The test is about memory, not loss recovery.
    pc.timeout_us = 1e5;
    pc.max_timeout_us = 1e5;
    std::vector<std::unique_ptr<PanamaWorker>> w;
    std::vector<std::unique_ptr<Rounds>> rounds;
    for (size_t k = 0; k < plans.size(); ++k) {
      std::vector<PanamaWorker*> raw;
      for (uint32_t r = 0; r < hosts.size(); ++r) {
        w.push_back(std::make_unique<PanamaWorker>(*f.hosts[hosts[r]], plans[k], r, G, pc));
        raw.push_back(w.back().get());
      }
      rounds.push_back(std::make_unique<Rounds>(f, raw, 1, 0));
      rounds.back()->stagger_ps = ps_t(5e6);
    }
    sc_core::sc_start(sc_core::sc_time(20, sc_core::SC_MS));
    AccelTotals a = accel_totals(f);
    uint64_t bad = 0, results = 0, done = 0;
    uint32_t max_out = 0;
    for (auto& x : w) {
      bad += x->stats().mismatches;
      results += x->stats().results;
      done += x->stats().iterations_done;
      for (uint32_t t = 0; t < x->num_trees(); ++t) max_out = std::max(max_out, x->tree_stats(t).max_outstanding);
    }
    return json{{"per_tree_slots", plans[3].trees[0].per_tree_slots},
                {"stalls", a.slot_stalls},
                {"accel_drops", a.drops},
                {"fabric_drops", f.total_drops()},
                {"lossless_drops", f.lossless_drops()},
                {"results", results},
                {"mismatches", bad},
                {"workers_done", done},
                {"max_outstanding", max_out}};
  });
}
}  // namespace

BOOST_AUTO_TEST_CASE(cwnd_cap_prevents_accelerator_memory_overflow) {
  // With cwnd_cap every window is <= 2 per tree, so a job never holds more slots per tree than its
  // share allows: no contribution ever waits for a slot (slot_stalls == 0), nothing is dropped, and all
  // 4 x 8 workers finish with 400 exact results each.
  json j = four_jobs_small_memory(true);
  BOOST_TEST_MESSAGE("cwnd_cap on: " << j.dump());
  BOOST_TEST(j["per_tree_slots"].get<uint32_t>() == 2u);
  BOOST_TEST(j["max_outstanding"].get<uint32_t>() <= 2u);
  BOOST_TEST(j["stalls"].get<uint64_t>() == 0u);
  BOOST_TEST(j["accel_drops"].get<uint64_t>() == 0u);
  BOOST_TEST(j["fabric_drops"].get<uint64_t>() == 0u);
  BOOST_TEST(j["workers_done"].get<uint64_t>() == 32u);
  BOOST_TEST(j["results"].get<uint64_t>() == 32 * 400u);
  BOOST_TEST(j["mismatches"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_CASE(without_cwnd_cap_memory_overflows_but_nothing_is_dropped) {
  // Baseline: windows start at 64 and are bounded only by max_window = 4096, far above the 2 slots per
  // tree, so contributions find the job's share full: slot_stalls > 0 (counted, held back by
  // backpressure and PFC), yet no frame is dropped (the lossless class never overflows).
  json j = four_jobs_small_memory(false);
  BOOST_TEST_MESSAGE("cwnd_cap off: " << j.dump());
  BOOST_TEST(j["max_outstanding"].get<uint32_t>() > 2u);
  BOOST_TEST(j["stalls"].get<uint64_t>() > 0u);
  BOOST_TEST(j["accel_drops"].get<uint64_t>() == 0u);
  BOOST_TEST(j["fabric_drops"].get<uint64_t>() == 0u);
  BOOST_TEST(j["lossless_drops"].get<uint64_t>() == 0u);
  BOOST_TEST(j["mismatches"].get<uint64_t>() == 0u);
}

namespace {
// Leaf-spine with 1 spine, 2 leaves x 3 hosts at 100 Gbps, oversubscription 7.5: each leaf has one
// 3 x 100 / 7.5 = 40 Gbps uplink. PANAMA job: hosts 0,1 (leaf 0) and 3,4 (leaf 1), one tree rooted at the
// spine (the only candidate); its leaf-0 partial sums go up leaf0->spine, one packet per slot, and its
// results come down spine->leaf1. With `tcp`, a DCTCP flow host 2 (leaf 0) -> host 5 (leaf 1) crosses the
// same links, so the two classes share one 40 Gbps bottleneck (leaf0->spine). Both are window-controlled by
// ECN, marked at K = 32 frames per class queue (set well below PFC XOFF, 256 KiB ~ 170 frames, so that ECN and
// not PAUSE acts first); the switch serves the classes (lossless aggregation, lossy TCP) by deficit round
// robin with equal quanta. PANAMA runs 4 all-reduces of 2897 packets (4.2 MB) from 100 us, when the TCP
// flow is in steady state; goodputs are measured over PANAMA's run.
json shared_bottleneck(bool tcp_on) {
  return run_isolated([tcp_on] {
    TopologyConfig t = leaf_spine_config(2, 1, 3, true, 7.5);
    t.sw.ecn_k_packets = 32;  // (the default fifo queue: the split comes from the two congestion controls)
    Fabric f("fabric", t, wide_accelerator());
    DctcpTransport tcp(f, DctcpConfig{}, {2, 5});  // before the workers: they chain in front of it
    Controller c(f, no_threshold());
    const uint64_t G = 2897 * kPacketBytes;
    std::vector<uint32_t> hosts{0, 1, 3, 4};
    JobPlan plan = c.admit(1, hosts, G, ElementType::fp32, 1);
    std::vector<std::unique_ptr<PanamaWorker>> w;
    std::vector<PanamaWorker*> raw;
    for (uint32_t r = 0; r < hosts.size(); ++r) {
      w.push_back(std::make_unique<PanamaWorker>(*f.hosts[hosts[r]], plan, r, G));
      raw.push_back(w.back().get());
    }
    const uint64_t flow = tcp.start_flow(*f.hosts[2], *f.hosts[5], tcp_on ? 2'000'000'000ull : 1, 0);
    Rounds rounds(f, raw, 4, ps_t(100e6));
    uint64_t una0 = 0, una1 = 0;
    rounds.on_start = [&] { una0 = tcp.flow(flow).snd_una; };
    rounds.on_finish = [&] {
      una1 = tcp.flow(flow).snd_una;
      sc_core::sc_stop();  // the TCP flow would run on
    };
    sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_MS));
    const double span = double(rounds.finish_ps - rounds.start_ps);
    uint64_t ce = 0, bad = 0, cuts = 0;
    for (auto& x : w) {
      ce += x->stats().results_ce;
      bad += x->stats().mismatches;
      cuts += x->tree_stats(0).cwnd_cuts;
    }
    return json{{"panama_gbps", 4.0 * double(G) * 8 / span * 1e3},
                {"tcp_gbps", tcp_on ? double(una1 - una0) * 8 / span * 1e3 : 0.0},
                {"span_us", span * 1e-6},
                {"results_ce", ce},
                {"cwnd_cuts", cuts},
                {"cwnd_max", w[0]->tree_stats(0).cwnd_max},
                {"tcp_cuts", tcp.flow(flow).rec.cwnd_cuts},
                {"mismatches", bad},
                {"lossless_drops", f.lossless_drops()}};
  });
}
}  // namespace

BOOST_AUTO_TEST_CASE(panama_and_dctcp_share_a_bottleneck) {
  // Alone, PANAMA fills the bottleneck: goodput 40 x 1448 / 1538 = 37.7 Gbps (payload per wire byte of a
  // full aggregation frame); required >= 80 % of it, so the shared case below is limited by the shared
  // link, not by PANAMA itself. Shared, the fair share of each class is half the link: ~18.8 Gbps of
  // goodput (TCP's 1460 B per 1538 B is within 1 % of PANAMA's ratio). Each class must be within 30 % of
  // it: 13.2 .. 24.5 Gbps. PANAMA must have seen CE results and cut its window (ECN drives it), and every
  // result is exact; nothing in the lossless class is dropped.
  json alone = shared_bottleneck(false);
  json both = shared_bottleneck(true);
  BOOST_TEST_MESSAGE("PANAMA alone: " << alone.dump());
  BOOST_TEST_MESSAGE("PANAMA beside DCTCP: " << both.dump());
  const double link_goodput = 40.0 * 1448 / 1538, fair = link_goodput / 2;
  BOOST_TEST(alone["panama_gbps"].get<double>() >= 0.8 * link_goodput);
  const double p = both["panama_gbps"].get<double>(), tc = both["tcp_gbps"].get<double>();
  BOOST_TEST(std::abs(p - fair) <= 0.3 * fair);
  BOOST_TEST(std::abs(tc - fair) <= 0.3 * fair);
  BOOST_TEST(both["results_ce"].get<uint64_t>() > 0u);
  BOOST_TEST(both["cwnd_cuts"].get<uint64_t>() > 0u);
  BOOST_TEST(both["mismatches"].get<uint64_t>() == 0u);
  BOOST_TEST(both["lossless_drops"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_CASE(timeouts_recover_corruption_losses_exactly) {
  // Every link corrupts a frame with probability 1e-3 (the receiver discards it). As in the first test,
  // 8 workers, 4 trees, 2 iterations of 1001 packets: ~2 x 8 x 1001 contributions cross 2-4 links each,
  // so tens of losses are expected. The relaxed 1 ms timeout re-sends every unanswered packet with the
  // retransmit flag; accelerators either add it (slot still open) or answer from their result cache.
  // Expected: every worker completes both iterations with every result exact; retransmits > 0.
  // Run twice: with the default 1 MiB SRAM, and with 64 KiB (44 slots: result caches of 44 per tree,
  // far fewer than the 250 packets of each tree), which only recovers because a worker's window bounds
  // the span from its oldest unanswered packet, so a lost result is still cached when its timeout fires.
  for (uint32_t sram_kib : {1024u, 64u}) {
  json j = run_isolated([sram_kib] {
    TopologyConfig t = leaf_spine_config(2, 4, 4);
    t.corrupt_probability = 1e-3;
    t.seed = 7;
    AcceleratorConfig acc;
    acc.sram_kib = sram_kib;
    Fabric f("fabric", t, acc);
    Controller c(f, no_threshold());
    std::vector<uint32_t> hosts{0, 1, 2, 3, 4, 5, 6, 7};
    const uint64_t G = 1001 * kPacketBytes;
    JobPlan plan = c.admit(1, hosts, G, ElementType::fp32, 4);
    PanamaWorkerConfig pc;
    pc.max_timeout_us = 8000;  // backoff 1, 2, 4, 8, 8, ... ms
    std::vector<std::unique_ptr<PanamaWorker>> w;
    std::vector<PanamaWorker*> raw;
    for (uint32_t r = 0; r < hosts.size(); ++r) {
      w.push_back(std::make_unique<PanamaWorker>(*f.hosts[hosts[r]], plan, r, G, pc));
      raw.push_back(w.back().get());
    }
    Rounds rounds(f, raw, 2, 0);
    sc_core::sc_start(sc_core::sc_time(200, sc_core::SC_MS));
    uint64_t corrupted = 0;
    for (auto& h : f.hosts) corrupted += h->net_drops(NetDrop::corrupted);
    for (auto& s : f.switches) corrupted += s->net_drops(NetDrop::corrupted);
    json reasons = json::object();
    for (auto& sw : f.switches) {
      const auto& d = dynamic_cast<PSwitch&>(*sw).accelerator().stats().drops;
      for (size_t r = 0; r < d.n.size(); ++r)
        if (d.n[r]) reasons[std::string(sw->basename()) + "." + std::string(kDropReasonNames[r])] = d.n[r];
    }
    json open_slots = json::array();  // diagnostics: slots still open at the end
    for (auto& sw : f.switches) {
      auto& acc = dynamic_cast<PSwitch&>(*sw).accelerator();
      for (int32_t i = 0; i < int32_t(acc.sram.total_slots()); ++i)
        if (acc.sram.slot(i).in_use)
          open_slots.push_back(json{{"sw", sw->basename()}, {"tree", SlotKey::unpack(acc.sram.slot(i).key).tree},
                                    {"seq", acc.sram.slot(i).key & 0xffffffffu},
                                    {"seen", acc.sram.slot(i).children_seen}, {"completing", acc.sram.slot(i).completing}});
    }
    return json{{"workers", workers_json(w)}, {"corrupted", corrupted}, {"accel_drop_reasons", reasons},
                {"open_slots", open_slots},
                {"answered", accel_totals(f).retransmits_answered},
                {"us", double(rounds.finish_ps - rounds.start_ps) * 1e-6}};
  });
  uint64_t retx = 0;
  BOOST_TEST_MESSAGE("accelerator drops: " << j["accel_drop_reasons"].dump() << ", open slots "
                                            << j["open_slots"].dump());
  for (auto& w : j["workers"]) {
    if (!w["unanswered"].empty())
      BOOST_TEST_MESSAGE("worker " << w["rank"] << " waits for " << w["unanswered"].dump() << " trees "
                                   << w["trees"].dump());
    BOOST_TEST(w["iterations_done"].get<uint32_t>() == 2u);
    BOOST_TEST(w["results"].get<uint64_t>() == 2 * 1001u);
    BOOST_TEST(w["mismatches"].get<uint64_t>() == 0u);
    retx += w["retransmits"].get<uint64_t>();
  }
  BOOST_TEST_MESSAGE("corruption: " << j["corrupted"] << " frames corrupted, " << retx << " retransmits, "
                                    << j["answered"] << " answered from caches, " << j["us"] << " us");
  BOOST_TEST(j["corrupted"].get<uint64_t>() > 0u);
  BOOST_TEST(retx > 0u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ml_job)

namespace {
// One job of 8 workers (4 trees, 1001 packets = 1.45 MB, wide accelerators: all-reduce A ~ 129 us, see
// the first test) with a compute time C = 100 us, 5 iterations.
json run_job(bool overlap) {
  return run_isolated([overlap] {
    Fabric f("fabric", leaf_spine_config(2, 4, 4), wide_accelerator());
    Controller c(f, no_threshold());
    MlJobConfig jc;
    jc.model = "resnet50";
    jc.gradient_bytes = 1001 * kPacketBytes;
    jc.compute_us = 100;
    jc.iterations = 5;
    jc.overlap = overlap;
    jc.protocol = "panama";
    jc.trees = 4;
    MlJob job(f, c, nullptr, 1, {0, 1, 2, 3, 4, 5, 6, 7}, jc);
    job.start();
    sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_MS));
    json r = job.to_json();
    r["compute_ps"] = job.compute_ps();
    json it = json::array(), ar = json::array();
    for (ps_t x : job.iteration_ps()) it.push_back(x);
    for (ps_t x : job.allreduce_ps()) ar.push_back(x);
    r["iteration_ps"] = it;
    r["allreduce_ps"] = ar;
    r["total_ps"] = job.total_ps();
    uint64_t bad = 0;
    bool released = true;
    for (auto& w : job.workers()) {
      bad += w->stats().mismatches;
      released = released && w->released();
    }
    r["mismatches"] = bad;
    // A finished job's workers have given back their per-packet state and refuse another all-reduce.
    r["released"] = released;
    bool refused = false;
    try {
      job.workers().at(0)->start(5, f.ctx.now() + 1, 0);
    } catch (const std::logic_error&) {
      refused = true;
    }
    r["restart_refused"] = refused;
    return r;
  });
}
}  // namespace

BOOST_AUTO_TEST_CASE(iteration_time_without_overlap_is_compute_plus_allreduce) {
  // Without overlap each iteration is compute then all-reduce: iteration_i = C + A_i exactly (the model
  // schedules the all-reduce at the compute's end and the next compute at the all-reduce's end; no
  // tolerance needed), total = sum of iterations. A ~ 129 us, so each iteration is ~229 us.
  json j = run_job(false);
  BOOST_TEST_MESSAGE("no overlap: " << j["iteration_us"] << " us, all-reduce " << j["allreduce_us"]);
  BOOST_REQUIRE(j["done"].get<bool>());
  const uint64_t C = j["compute_ps"].get<uint64_t>();
  BOOST_TEST(C == 100'000'000u);
  uint64_t sum = 0;
  for (size_t i = 0; i < 5; ++i) {
    BOOST_TEST(j["iteration_ps"][i].get<uint64_t>() == C + j["allreduce_ps"][i].get<uint64_t>());
    sum += j["iteration_ps"][i].get<uint64_t>();
  }
  BOOST_TEST(j["total_ps"].get<uint64_t>() == sum);
  BOOST_TEST(j["mismatches"].get<uint64_t>() == 0u);
  BOOST_TEST(j["released"].get<bool>());
  BOOST_TEST(j["restart_refused"].get<bool>());
}

BOOST_AUTO_TEST_CASE(overlap_hides_compute_behind_allreduce) {
  // With one-step overlap: compute_i starts at max(end compute_{i-1}, end AR_{i-2}); AR_i starts at
  // max(end compute_i, end AR_{i-1}). Replaying that recurrence with C and the measured A_i must give the
  // measured total exactly (both are event times in ps). Since A (~129 us) > C (100 us), the closed form
  // is total = C + sum A_i (only the first compute is exposed); checked within 5 %, the slack covering an
  // all-reduce that ends up shorter than C. Overlap must save about (N - 1) C = 400 us against no overlap;
  // at least 80 % of that is required (the all-reduces of the two runs differ by a few us).
  json on = run_job(true);
  json off = run_job(false);
  BOOST_TEST_MESSAGE("overlap: total " << on["total_us"] << " us vs " << off["total_us"] << " us without");
  BOOST_REQUIRE(on["done"].get<bool>());
  const ps_t C = on["compute_ps"].get<uint64_t>();
  std::vector<ps_t> A;
  for (auto& a : on["allreduce_ps"]) A.push_back(a.get<uint64_t>());
  // Recurrence.
  std::vector<ps_t> ce(5), ae(5);
  for (size_t i = 0; i < 5; ++i) {
    ps_t cs = i == 0 ? 0 : ce[i - 1];
    if (i >= 2) cs = std::max(cs, ae[i - 2]);
    ce[i] = cs + C;
    ps_t as = std::max(ce[i], i == 0 ? 0 : ae[i - 1]);
    ae[i] = as + A[i];
  }
  BOOST_TEST(on["total_ps"].get<uint64_t>() == ae[4]);
  ps_t sumA = 0;
  for (ps_t a : A) sumA += a;
  const double expect = double(C + sumA);  // A > C: only the first compute is exposed
  BOOST_TEST(std::abs(double(on["total_ps"].get<uint64_t>()) - expect) <= 0.05 * expect);
  BOOST_TEST(double(off["total_ps"].get<uint64_t>()) - double(on["total_ps"].get<uint64_t>()) >= 0.8 * 4 * double(C));
}

BOOST_AUTO_TEST_CASE(single_tree_and_nocap_protocols_run_side_by_side) {
  // Job 1 "single_tree" on hosts 0,1 (leaf 0) and 4,5 (leaf 1) gets exactly one tree; job 2
  // "panama_nocap" on hosts 2,3,6,7 gets the controller's 4. 500 packets, C = 10 us, 2 iterations each:
  // both complete with exact results and nothing dropped.
  json j = run_isolated([] {
    Fabric f("fabric", leaf_spine_config(2, 4, 4), wide_accelerator());
    Controller c(f, no_threshold());
    MlJobConfig jc;
    jc.gradient_bytes = 500 * kPacketBytes;
    jc.compute_us = 10;
    jc.iterations = 2;
    jc.protocol = "single_tree";
    MlJob a(f, c, nullptr, 1, {0, 1, 4, 5}, jc);
    jc.protocol = "panama_nocap";
    MlJob b(f, c, nullptr, 2, {2, 3, 6, 7}, jc);
    a.start();
    b.start();
    sc_core::sc_start(sc_core::sc_time(50, sc_core::SC_MS));
    uint64_t bad = 0;
    for (auto* job : {&a, &b})
      for (auto& w : job->workers()) bad += w->stats().mismatches;
    json r{{"a", a.to_json()}, {"b", b.to_json()}, {"mismatches", bad}, {"drops", f.total_drops()}};
    r["a"].erase("workers");
    r["b"].erase("workers");
    return r;
  });
  BOOST_TEST_MESSAGE("single_tree / panama_nocap: " << j.dump());
  BOOST_TEST(j["a"]["trees"].get<size_t>() == 1u);
  BOOST_TEST(j["b"]["trees"].get<size_t>() == 4u);
  BOOST_TEST(j["a"]["done"].get<bool>());
  BOOST_TEST(j["b"]["done"].get<bool>());
  BOOST_TEST(j["mismatches"].get<uint64_t>() == 0u);
  BOOST_TEST(j["drops"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_CASE(small_reduce_falls_back_to_ring) {
  // The controller aggregates only reduces of at least 40 MB (paper); a 1 MB job falls back to the ring
  // all-reduce over DCTCP and records why. It still completes its 2 iterations.
  json j = run_isolated([] {
    Fabric f("fabric", leaf_spine_config(2, 2, 2));
    DctcpTransport tcp(f, DctcpConfig{});
    Controller c(f, ControllerConfig{});
    MlJobConfig jc;
    jc.gradient_bytes = 1'000'000;
    jc.compute_us = 50;
    jc.iterations = 2;
    MlJob job(f, c, &tcp, 1, {0, 1, 2, 3}, jc);
    job.start();
    sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_MS));
    return job.to_json();
  });
  BOOST_TEST_MESSAGE("fallback: " << j["fallback_reason"] << ", total " << j["total_us"] << " us");
  BOOST_TEST(!j["aggregated"].get<bool>());
  BOOST_TEST(j["fallback_reason"].get<std::string>().find("threshold") != std::string::npos);
  BOOST_TEST(j["done"].get<bool>());
  BOOST_TEST(j["iteration_us"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(worker_and_job_parameters_register_with_the_config_registry) {
  // Every PanamaWorkerConfig / MlJobConfig field is settable by key, with range checks.
  ConfigRegistry reg;
  PanamaWorkerConfig pc;
  MlJobConfig jc;
  pc.register_params(reg);
  jc.register_params(reg);
  reg.apply_override("panama.timeout_us=250");
  reg.apply_override("panama.use_cwnd_cap=false");
  reg.apply_override("panama.elements_per_packet=128");
  reg.apply_override("job.protocol=ring");
  reg.apply_override("job.model=vgg16");
  BOOST_TEST(pc.timeout_us == 250.0);
  BOOST_TEST(!pc.use_cwnd_cap);
  BOOST_TEST(pc.elements_per_packet == 128u);
  BOOST_TEST(jc.protocol == "ring");
  BOOST_TEST(jc.model == "vgg16");
  BOOST_CHECK_THROW(reg.apply_override("panama.g=2"), ConfigError);
  BOOST_CHECK_THROW(reg.apply_override("job.protocol=carrier_pigeon"), ConfigError);
}

BOOST_AUTO_TEST_CASE(model_table_has_the_published_parameter_counts) {
  // reference.md: ResNet-50 25.6 M, VGG-16 138 M, Inception-v3 23.8 M, ResNet-152 60.2 M, AlexNet 61 M,
  // BERT-large 340 M, GPT-2 1.5 B; gradient = params x 4 bytes.
  BOOST_TEST(find_model("resnet50").parameters == 25'600'000u);
  BOOST_TEST(find_model("vgg16").parameters == 138'000'000u);
  BOOST_TEST(find_model("inception_v3").parameters == 23'800'000u);
  BOOST_TEST(find_model("resnet152").parameters == 60'200'000u);
  BOOST_TEST(find_model("alexnet").parameters == 61'000'000u);
  BOOST_TEST(find_model("bert_large").parameters == 340'000'000u);
  BOOST_TEST(find_model("gpt2").parameters == 1'500'000'000u);
  BOOST_TEST(find_model("vgg16").gradient_bytes() == 552'000'000u);
  for (const ModelSpec& m : model_table()) {
    BOOST_TEST(m.compute_ms > 0);
    BOOST_TEST(!m.source.empty());
  }
  BOOST_CHECK_THROW(find_model("lenet"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
