// Gradient bucketing (job.bucket_mb): an iteration's gradient goes as reduce flows of bucket_mb, one after
// another; the controller's threshold applies per reduce flow, so a PANAMA job's small buckets go by ring.
#define BOOST_TEST_MODULE bucketing
#include <boost/test/unit_test.hpp>

#include "control/controller.h"
#include "harness/isolated.h"
#include "experiment/scenario.h"
#include "network/topology.h"
#include "protocol/packet.h"
#include "transport/dctcp.h"
#include "workload/ml_job.h"

using namespace panama;
using nlohmann::json;

namespace {

// 2 leaves of 4 hosts at 100 Gbps, 2 spines, PSwitches everywhere with accelerators wide enough for four
// 100 Gbps children (a 2048-bit datapath at 250 MHz = 512 Gbps of additions).
json run_job(uint64_t gradient, double bucket_mb, double threshold_mb, uint32_t iterations) {
  return run_isolated([=] {
    TopologyConfig t;
    t.type = "leaf_spine";
    t.leaves = 2;
    t.spines = 2;
    t.hosts_per_leaf = 4;
    t.pswitches = "all";
    AcceleratorConfig a;
    a.datapath_bits = 2048;
    a.sram_width_bits = 2048;
    a.lanes = 64;
    Fabric f("fabric", t, a);
    DctcpTransport tcp(f, DctcpConfig{});
    ControllerConfig cc;
    cc.threshold_mb = threshold_mb;
    Controller c(f, cc);
    MlJobConfig jc;
    jc.gradient_bytes = gradient;
    jc.compute_us = 0;
    jc.iterations = iterations;
    jc.bucket_mb = bucket_mb;
    jc.protocol = "panama";
    MlJob job(f, c, &tcp, 1, {0, 1, 4, 5}, jc);
    job.start();
    sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_MS));
    json r = job.to_json();
    uint64_t packets = 0, mismatches = 0;
    for (auto& w : job.workers()) {
      packets += w->stats().sent - w->stats().retransmits;
      mismatches += w->stats().mismatches;
    }
    r["panama_packets"] = packets;
    r["mismatches"] = mismatches;
    uint64_t ring_bytes = 0;
    for (const DctcpFlow& fl : tcp.flows()) ring_bytes += fl.rec.bytes;
    r["tcp_bytes"] = ring_bytes;
    ps_t total = 0;
    for (ps_t x : job.allreduce_ps()) total += x;
    r["allreduce_ps_total"] = total;
    return r;
  });
}

}  // namespace

BOOST_AUTO_TEST_CASE(split_into_buckets) {
  // ResNet-50's 102.4 MB in DDP's 25 MB buckets: four of 25 MB and the rest, 2.4 MB.
  BOOST_TEST((MlJob::split_buckets(102'400'000, 25'000'000, 16) ==
              std::vector<uint64_t>{25'000'000, 25'000'000, 25'000'000, 25'000'000, 2'400'000}));
  // A rest below the least a ring flow needs joins the bucket before it.
  BOOST_TEST((MlJob::split_buckets(10'000'003, 5'000'000, 16) == std::vector<uint64_t>{5'000'000, 5'000'003}));
  // No bucketing, or a bucket at least the gradient: one reduce.
  BOOST_TEST((MlJob::split_buckets(8'000'000, 0, 16) == std::vector<uint64_t>{8'000'000}));
  BOOST_TEST((MlJob::split_buckets(8'000'000, 8'000'000, 16) == std::vector<uint64_t>{8'000'000}));
}

BOOST_AUTO_TEST_CASE(buckets_below_the_threshold_go_by_ring) {
  // 8 MB in 2 MB buckets with a 4 MB threshold: every reduce flow is below it, so the controller does
  // not aggregate the job (it is admitted for its largest flow, 2 MB) and all four buckets run the ring:
  // each ring bucket moves 2 (N - 1) steps of B / N bytes from every worker, so the TCP bytes of one
  // iteration are N x 2 (N - 1) x B / N x 4 buckets = 2 (N - 1) x 8 MB = 48 MB for N = 4.
  const json j = run_job(8'000'000, 2, 4, 1);
  BOOST_TEST(j["done"].get<bool>());
  BOOST_TEST(!j["aggregated"].get<bool>());
  BOOST_TEST(j["fallback_reason"].get<std::string>().find("reduce of 2000000 B") != std::string::npos);
  BOOST_TEST(j["buckets"].get<int>() == 4);
  BOOST_TEST(j["buckets_aggregated"].get<int>() == 0);
  BOOST_TEST(j["tcp_bytes"].get<uint64_t>() == 48'000'000u);
}

BOOST_AUTO_TEST_CASE(mixed_buckets_split_between_panama_and_ring) {
  // 8 MB in 5 MB buckets with a 4 MB threshold: the 5 MB flow is aggregated, the 3 MB rest goes by ring.
  // PANAMA packets: each worker sends ceil(5e6 / 4 / E) distinct packets per iteration, E = 362 FP32
  // elements in a 1500-byte MTU: ceil(1'250'000 / 362) = 3454, so 4 workers x 2 iterations x 3454.
  // Ring: 2 (N - 1) x 3 MB = 18 MB per iteration, 36 MB over two.
  const json j = run_job(8'000'000, 5, 4, 2);
  BOOST_TEST(j["done"].get<bool>());
  BOOST_TEST(j["aggregated"].get<bool>());
  BOOST_TEST(j["buckets"].get<int>() == 2);
  BOOST_TEST(j["buckets_aggregated"].get<int>() == 1);
  BOOST_TEST(j["bucket_fallback_reason"].get<std::string>().find("reduce of 3000000 B") != std::string::npos);
  BOOST_TEST(max_elements_for_mtu(1500, ElementType::fp32) == 362u);
  BOOST_TEST(j["panama_packets"].get<uint64_t>() == 4u * 2u * 3454u);
  BOOST_TEST(j["mismatches"].get<uint64_t>() == 0u);
  BOOST_TEST(j["tcp_bytes"].get<uint64_t>() == 36'000'000u);
}

BOOST_AUTO_TEST_CASE(aggregated_buckets_cost_about_what_one_reduce_costs) {
  // 8 MB as one aggregated reduce, or as two of 4 MB (threshold 1 MB): the same packets at the same line
  // rate, one after another; the windows carry over from one bucket to the next, so the second bucket
  // adds only its last packet's round trip and the gap between the two (a few us at 100 Gbps, against
  // ~700 us for 8 MB). Both within 3 % of each other, and the packets add up: ceil(2e6 / 362) = 5525
  // per 8 MB, 2 x ceil(1e6 / 362) = 2 x 2763 = 5526 in two buckets (one part-filled packet more).
  const json one = run_job(8'000'000, 0, 1, 1);
  const json two = run_job(8'000'000, 4, 1, 1);
  BOOST_TEST(one["panama_packets"].get<uint64_t>() == 4u * 5525u);
  BOOST_TEST(two["panama_packets"].get<uint64_t>() == 4u * 5526u);
  const double t1 = one["allreduce_ps_total"].get<double>(), t2 = two["allreduce_ps_total"].get<double>();
  BOOST_TEST_MESSAGE("one reduce " << t1 / 1e6 << " us, two buckets " << t2 / 1e6 << " us");
  BOOST_TEST(t2 >= t1 * 0.99);
  BOOST_TEST(t2 <= t1 * 1.03);
  BOOST_TEST(two["tcp_bytes"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_CASE(scenario_bucket_keys) {
  // job table field and scenario-wide override; a bucket too small for a ring is refused.
  const std::string file = std::string(PANAMA_SOURCE_DIR) + "/testbench/scenarios/small-shared.yaml";
  const ScenarioConfig cfg = load_scenario(file, {"scenario.bucket_mb=5"});
  BOOST_TEST(cfg.bucket_mb == 5.0);
  try {
    load_scenario(file, {"scenario.bucket_mb=0.000001"});
    BOOST_TEST(false, "a 1-byte bucket was accepted");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("scenario.bucket_mb") != std::string::npos, e.what());
  }
  try {
    load_scenario(file, {"scenario.bucket_mb=nan"});
    BOOST_TEST(false, "a NaN bucket was accepted");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("scenario.bucket_mb") != std::string::npos, e.what());
  }
}
