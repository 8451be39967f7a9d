// PSwitch: a switch with the accelerator as a bump in the wire. Four workers on two leaves aggregate
// over a two-level tree (leaves sum their two workers, the spine sums the leaves and multicasts the
// result down), with other traffic sharing the switches and bypassing the accelerators.
#define BOOST_TEST_MODULE pswitch
#include <boost/test/unit_test.hpp>

#include "harness/isolated.h"
#include "harness/synthetic_child.h"
#include "harness/udp_traffic.h"
#include "network/pswitch.h"
#include "network/topology.h"

#include <cstring>
#include <memory>

using namespace panama;
using nlohmann::json;

namespace {

constexpr Ipv4Addr kGroup = group_ip(1, 0);  // 239.0.1.0

// Sends one contribution per slot at line rate to the tree's group and checks every result it receives.
class Worker : public EventHandler, public HostReceiver {
 public:
  Worker(Host& h, uint32_t rank, uint32_t slots, const ContributionPatterns& pat)
      : host_(h), rank_(rank), slots_(slots), pat_(pat) {
    h.set_receiver(this);
    h.ctx().events.schedule(0, this, 0);
  }
  void on_event(uint32_t, void*, uint64_t) override {
    tlm::tlm_generic_payload* gp = host_.ctx().pool.allocate();
    AggregationAddressing a;
    a.src_mac = host_.mac();
    a.src_ip = host_.ip();
    a.dst_ip = kGroup;
    PanamaHeader h;
    h.job = 1;
    h.fan_in = 4;
    h.seq = sent_;
    h.count = uint16_t(pat_.elements());
    h.worker = uint16_t(rank_);
    gp->set_data_length(uint32_t(encode_aggregation(gp->get_data_ptr(), PacketPool::kBufferBytes, a, h,
                                                    pat_.pattern(rank_, 1, sent_))));
    host_.send(gp);
    if (++sent_ < slots_)
      host_.ctx().events.schedule(host_.ctx().now() + serialization_ps((gp->get_data_length() + 24) * 8, 100.0), this, 0);
  }
  void on_packet(Host&, tlm::tlm_generic_payload& gp, const DecodedPacket& d) override {
    if (d.cls != PacketClass::aggregation || !(d.hdr.flags & kFlagResult)) {
      ++other_;
      return;
    }
    ++results_;
    const uint8_t* expect = pat_.expected(4, 1, d.hdr.seq);
    if (std::memcmp(gp.get_data_ptr() + kElementsOffset, expect, size_t(d.hdr.count) * 4) != 0) ++bad_;
  }
  uint64_t results_ = 0, bad_ = 0, other_ = 0;

 private:
  Host& host_;
  uint32_t rank_, slots_, sent_ = 0;
  const ContributionPatterns& pat_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pswitch)

BOOST_AUTO_TEST_CASE(two_level_tree_sums_four_workers_exactly) {
  // Leaf-spine, 1 spine, 2 leaves x 2 hosts, every switch a PSwitch. 300 slots of 362 fp32 elements.
  // Each worker must receive all 300 results, each the exact sum of the 4 contributions; each leaf
  // accelerator sums 2 x 300 contributions and emits 300 partials; the spine sums 2 x 300 and emits
  // 300 results (one copy per leaf). No frame is dropped.
  json j = run_isolated([] {
    TopologyConfig t;
    t.type = "leaf_spine";
    t.leaves = 2;
    t.spines = 1;
    t.hosts_per_leaf = 2;
    t.pswitches = "all";
    Fabric f("fabric", t);
    auto& spine = dynamic_cast<PSwitch&>(*f.switches[0]);
    // Leaves: ports 0,1 = hosts, port 2 = spine. Spine: port 0 = leaf 0, port 1 = leaf 1.
    for (int l = 1; l <= 2; ++l) {
      auto& leaf = dynamic_cast<PSwitch&>(*f.switches[size_t(l)]);
      leaf.accelerator().install_job(JobSpec{1, ElementType::fp32, {TreeSpec{0, 0b011, false, 2, 0, kGroup}}});
      leaf.install_multicast(kGroup, 2, 0b011);  // results from the spine go down to both hosts
    }
    spine.accelerator().install_job(JobSpec{1, ElementType::fp32, {TreeSpec{0, 0b11, true, 0, 0b11, kGroup}}});
    spine.install_multicast(kGroup, -1, 0b11);
    ContributionPatterns pat(11, ElementType::fp32, 362);
    std::vector<std::unique_ptr<Worker>> w;
    for (uint32_t i = 0; i < 4; ++i) w.push_back(std::make_unique<Worker>(*f.hosts[i], i, 300, pat));
    sc_core::sc_start();
    json r = json::array();
    for (auto& x : w) r.push_back(json{{"results", x->results_}, {"bad", x->bad_}});
    auto& leaf0 = dynamic_cast<PSwitch&>(*f.switches[1]);
    return json{{"workers", r}, {"drops", f.total_drops()},
                {"leaf_contributions", leaf0.accelerator().stats().contributions},
                {"leaf_partials", leaf0.accelerator().stats().partials_emitted},
                {"spine_contributions", spine.accelerator().stats().contributions},
                {"spine_results", spine.accelerator().stats().results_emitted}};
  });
  for (auto& w : j["workers"]) {
    BOOST_TEST(w["results"].get<uint64_t>() == 300u);
    BOOST_TEST(w["bad"].get<uint64_t>() == 0u);
  }
  BOOST_TEST(j["drops"].get<uint64_t>() == 0u);
  BOOST_TEST(j["leaf_contributions"].get<uint64_t>() == 600u);
  BOOST_TEST(j["leaf_partials"].get<uint64_t>() == 300u);
  BOOST_TEST(j["spine_contributions"].get<uint64_t>() == 600u);
  BOOST_TEST(j["spine_results"].get<uint64_t>() == 300u);
}

BOOST_AUTO_TEST_CASE(other_traffic_bypasses_the_accelerator) {
  // Unicast UDP through two PSwitches reaches its host unchanged; the accelerators never see it.
  json j = run_isolated([] {
    TopologyConfig t;
    t.type = "leaf_spine";
    t.leaves = 2;
    t.spines = 1;
    t.hosts_per_leaf = 2;
    t.pswitches = "all";
    Fabric f("fabric", t);
    CountingSink sink;
    f.hosts[3]->set_receiver(&sink);
    UdpFlowSpec s;
    s.dst_host = 3;
    s.count = 100;
    UdpSource src(*f.hosts[0], s);
    sc_core::sc_start();
    uint64_t seen = 0;
    for (auto& sw : f.switches) seen += dynamic_cast<PSwitch&>(*sw).accelerator().stats().rx_frames;
    return json{{"delivered", sink.frames}, {"accel_rx", seen}, {"drops", f.total_drops()}};
  });
  BOOST_TEST(j["delivered"].get<uint64_t>() == 100u);
  BOOST_TEST(j["accel_rx"].get<uint64_t>() == 0u);
  BOOST_TEST(j["drops"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
