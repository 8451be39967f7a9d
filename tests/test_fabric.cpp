// Fabric models: link timing, topologies and routes, ECMP spread, PFC losslessness, conservation.
// Each simulation runs in its own process (run_isolated): SystemC allows one elaboration per process.
#define BOOST_TEST_MODULE fabric
#include <boost/test/unit_test.hpp>

#include "common/config.h"
#include "harness/fabric_bench.h"
#include "harness/isolated.h"
#include "harness/udp_traffic.h"
#include "network/fabric_stats.h"
#include "network/topology.h"

#include <fstream>

#include <memory>

using namespace panama;
using nlohmann::json;

namespace {

// Exact timing: no NIC start latency (host_tx_jitter_ns has its own test below).
TopologyConfig incast_cfg(uint32_t senders) {
  TopologyConfig t;
  t.type = "incast";
  t.senders = senders;
  t.host_tx_jitter_ns = 0;
  return t;
}

// The 2-to-1 incast's senders: hosts 0 and 1 each send `count` lossy 1514-byte UDP frames at their
// line rate to host 2, from different source ports (two flows).
struct TwoSendersToHost2 {
  static UdpFlowSpec spec(uint64_t count, uint16_t src_port) {
    UdpFlowSpec s;
    s.dst_host = 2;
    s.count = count;
    s.src_port = src_port;
    return s;
  }
  TwoSendersToHost2(Fabric& f, uint64_t count)
      : a(*f.hosts[0], spec(count, UdpFlowSpec{}.src_port)), b(*f.hosts[1], spec(count, UdpFlowSpec{}.src_port + 1)) {}
  UdpSource a, b;
};

json fabric_drops(const Fabric& f) {
  json d = json::object();
  for (size_t r = 0; r < size_t(NetDrop::count_); ++r) {
    uint64_t n = 0;
    for (auto& s : f.switches) n += s->net_drops(NetDrop(r));
    for (auto& h : f.hosts) n += h->net_drops(NetDrop(r));
    d[kNetDropNames[r]] = n;
  }
  d["total"] = f.total_drops();
  return d;
}

// The 2-to-1 incast with one sender per class (host 0 lossless, host 1 lossy) and `sched` between the
// classes at the switch: the class of each frame host 2 receives (1 lossless, 0 lossy) in arrival order,
// and the fabric's drops.
json two_class_incast(const char* sched, uint32_t quantum_bytes, uint64_t lossless_frames, uint64_t lossy_frames,
                      uint32_t frame_bytes) {
  return run_isolated([=] {
    TopologyConfig t = incast_cfg(2);
    t.sw.scheduler = sched;
    t.sw.drr_quantum_bytes = quantum_bytes;
    Fabric f("fabric", t);
    struct ClassSink : HostReceiver {
      std::vector<int> order;
      void on_packet(Host&, tlm::tlm_generic_payload&, const DecodedPacket& d) override {
        order.push_back(d.dscp == kPanamaDscp ? 1 : 0);
      }
    } sink;
    f.hosts[2]->set_receiver(&sink);
    UdpFlowSpec a, b;
    a.dst_host = b.dst_host = 2;
    a.count = lossless_frames;
    b.count = lossy_frames;
    a.frame_bytes = b.frame_bytes = frame_bytes;
    a.lossless = true;
    b.src_port = 1001;
    UdpSource sa(*f.hosts[0], a), sb(*f.hosts[1], b);
    sc_core::sc_start();
    return json{{"order", sink.order}, {"drops", f.total_drops()}};
  });
}

// Share of the lossless class among received frames [from, from + n).
double lossless_share(const json& j, size_t from, size_t n) {
  const auto order = j["order"].get<std::vector<int>>();
  int lossless = 0;
  for (size_t i = from; i < from + n && i < order.size(); ++i) lossless += order[i];
  return lossless / double(n);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(link_timing)

BOOST_AUTO_TEST_CASE(frame_arrives_after_serialisation_plus_propagation_per_hop) {
  // host 0 -> switch -> host 1, 100 Gbps links with 1 us propagation, store-and-forward switch.
  // A frame of 1476 B occupies 1500 B on the wire (preamble+SFD 8, FCS 4, IFG 12): 1500 x 8 / 100 Gbps
  // = 120 ns per hop, so it arrives after 2 x (120 ns + 1 us) = 2,240,000 ps. A 1500-byte IP packet
  // (1514-byte frame, 1538 B on the wire) takes 123.04 ns per hop: 2 x 1,123,040 ps.
  for (uint32_t frame : {1476u, 1514u}) {
    json j = run_isolated([&] {
      Fabric f("fabric", incast_cfg(1));
      CountingSink sink;
      sink.record_arrivals = true;
      f.hosts[1]->set_receiver(&sink);
      UdpFlowSpec s;
      s.dst_host = 1;
      s.frame_bytes = frame;
      UdpSource src(*f.hosts[0], s);
      sc_core::sc_start();
      return json{{"arrivals", sink.arrivals}};
    });
    const uint64_t per_hop = uint64_t(frame + 24) * 8 * 10 + 1000000;  // 10 ps per bit at 100 Gbps
    BOOST_TEST_REQUIRE(j["arrivals"].size() == 1u);
    BOOST_TEST(j["arrivals"][0].get<uint64_t>() == 2 * per_hop, "frame " << frame);
  }
}

// The arrival times at host 1 of `count` 1514-byte UDP frames host 0 sends at its line rate through
// the one switch of `t` (an incast topology).
std::vector<uint64_t> line_rate_arrivals(const TopologyConfig& t, uint64_t count) {
  const json j = run_isolated([t, count] {
    Fabric f("fabric", t);
    CountingSink sink;
    sink.record_arrivals = true;
    f.hosts[1]->set_receiver(&sink);
    UdpFlowSpec s;
    s.count = count;
    UdpSource src(*f.hosts[0], s);
    sc_core::sc_start();
    return json{{"arrivals", sink.arrivals}};
  });
  return j["arrivals"].get<std::vector<uint64_t>>();
}

// topology.host_tx_jitter_ns: a frame that finds the host NIC idle starts a uniform random 0..J later;
// frames queued behind it follow back to back. 400 frames 10 us apart (each finds the NIC idle) arrive
// 2 x 1,123,040 ps (see above) plus a delay in [0, J] whose mean is J / 2 (the standard error of the
// mean of 400 uniform draws is J / sqrt(12 x 400) = 0.014 J: +-0.07 J is five of them). A burst at
// line rate: only its first frame waits, the rest are spaced by their wire time.
BOOST_AUTO_TEST_CASE(an_idle_host_nic_starts_a_frame_after_a_random_latency_a_busy_one_does_not) {
  const ps_t J = 1'000'000;  // 1 us
  const uint64_t per_hop = uint64_t(1514 + 24) * 8 * 10 + 1000000;
  auto run = [&](uint64_t count, double rate_gbps) {
    return run_isolated([=] {
      TopologyConfig t = incast_cfg(1);
      t.host_tx_jitter_ns = double(J) / 1e3;
      Fabric f("fabric", t);
      CountingSink sink;
      sink.record_arrivals = true;
      f.hosts[1]->set_receiver(&sink);
      UdpFlowSpec s;
      s.dst_host = 1;
      s.count = count;
      s.rate_gbps = rate_gbps;
      UdpSource src(*f.hosts[0], s);
      sc_core::sc_start();
      return json{{"arrivals", sink.arrivals}};
    });
  };
  // 1538 wire bytes every 10 us: 1.2304 Gbps.
  const json spaced = run(400, 1538 * 8 / 10e3);
  BOOST_TEST_REQUIRE(spaced["arrivals"].size() == 400u);
  double sum = 0;
  ps_t lo = J, hi = 0;
  for (size_t i = 0; i < 400; ++i) {
    const int64_t extra = int64_t(spaced["arrivals"][i].get<uint64_t>()) - int64_t(i * 10'000'000 + 2 * per_hop);
    BOOST_TEST_REQUIRE(extra >= 0);
    BOOST_TEST_REQUIRE(extra <= int64_t(J));
    sum += double(extra);
    lo = std::min(lo, ps_t(extra));
    hi = std::max(hi, ps_t(extra));
  }
  BOOST_TEST(std::abs(sum / 400 - double(J) / 2) <= 0.07 * double(J), "mean start latency " << sum / 400 << " ps");
  BOOST_TEST(hi - lo >= J / 2, "draws do not spread over [0, J]: " << lo << ".." << hi);
  const json burst = run(50, 0);
  BOOST_TEST_REQUIRE(burst["arrivals"].size() == 50u);
  const uint64_t first = burst["arrivals"][0].get<uint64_t>();
  BOOST_TEST(first >= 2 * per_hop);
  BOOST_TEST(first <= 2 * per_hop + J);
  for (size_t i = 1; i < 50; ++i)
    BOOST_TEST(burst["arrivals"][i].get<uint64_t>() - burst["arrivals"][i - 1].get<uint64_t>() == 1538u * 80u);
}

BOOST_AUTO_TEST_CASE(back_to_back_frames_are_spaced_by_their_wire_time) {
  // 100 frames at line rate arrive exactly 123.04 ns apart (1538 B x 8 / 100 Gbps).
  const std::vector<uint64_t> a = line_rate_arrivals(incast_cfg(1), 100);
  BOOST_TEST_REQUIRE(a.size() == 100u);
  for (size_t i = 1; i < a.size(); ++i) BOOST_TEST_REQUIRE(a[i] - a[i - 1] == 123040u);
}

BOOST_AUTO_TEST_CASE(wire_time_by_multiply_and_shift_equals_the_rounded_division) {
  // A port computes a frame's wire time as ceil(bits x mul / 2^shift) where the link's picoseconds per
  // bit have that form (clock.h); it must equal serialization_ps() for every frame size, including
  // those whose time is not a whole picosecond (400 Gbps: 2.5 ps a bit; 1600: 0.625).
  const double exact[] = {0.5, 1, 10, 12.5, 25, 40, 50, 100, 200, 400, 800, 1600};
  for (double g : exact) {
    const SerializationRate r = SerializationRate::exact_for(g);
    BOOST_TEST_REQUIRE(r.exact(), g << " Gbps");
    uint64_t bad = 0;
    for (uint64_t bits = 0; bits <= uint64_t(kMaxFrameBytes + kEthWireOverheadBytes) * 8; ++bits)
      bad += r.ps(bits) != serialization_ps(bits, g);
    BOOST_TEST(bad == 0u, g << " Gbps: " << bad << " frame sizes differ");
  }
  BOOST_TEST(SerializationRate::exact_for(100).mul == 10u);  // 10 ps a bit, no shift
  BOOST_TEST(SerializationRate::exact_for(100).shift == 0u);
  BOOST_TEST(SerializationRate::exact_for(400).mul == 5u);  // 5/2 ps a bit
  BOOST_TEST(SerializationRate::exact_for(400).shift == 1u);
  // No such form: 1000/56 and 1000/33.3 are not dyadic, and the double nearest 0.001 is not 1/1000
  // (its quotient rounds to 10^6 but is not): the port keeps the division.
  for (double g : {56.0, 33.3, 100.000001, 0.001}) BOOST_TEST(!SerializationRate::exact_for(g).exact(), g << " Gbps");
}

BOOST_AUTO_TEST_CASE(frames_on_a_link_without_an_exact_rate_are_spaced_by_the_rounded_division) {
  // 56 Gbps: 1538 B x 8 / 56 Gbps = 219,714.29 ps, rounded up to 219,715 ps between arrivals.
  TopologyConfig t = incast_cfg(1);
  t.host_gbps = 56;
  const std::vector<uint64_t> a = line_rate_arrivals(t, 20);
  BOOST_TEST_REQUIRE(a.size() == 20u);
  for (size_t i = 1; i < a.size(); ++i) BOOST_TEST_REQUIRE(a[i] - a[i - 1] == 219715u);
}

BOOST_AUTO_TEST_CASE(corrupted_frames_are_dropped_at_the_receiver_and_counted) {
  // 20 % corruption per link over two links: every frame is either delivered or counted as corrupted.
  json j = run_isolated([] {
    TopologyConfig t = incast_cfg(1);
    t.corrupt_probability = 0.2;
    Fabric f("fabric", t);
    CountingSink sink;
    f.hosts[1]->set_receiver(&sink);
    UdpFlowSpec s;
    s.count = 5000;
    UdpSource src(*f.hosts[0], s);
    sc_core::sc_start();
    return json{{"sent", src.sent()}, {"delivered", sink.frames}, {"drops", fabric_drops(f)}};
  });
  const double delivered = j["delivered"].get<double>();
  BOOST_TEST(j["sent"].get<uint64_t>() == j["delivered"].get<uint64_t>() + j["drops"]["corrupted"].get<uint64_t>());
  BOOST_TEST(j["drops"]["total"] == j["drops"]["corrupted"]);
  // Survival over two links is 0.8^2 = 0.64: 3200 of 5000 expected, binomial sd ~ 34; allow 5 sd.
  BOOST_TEST(std::fabs(delivered - 3200.0) < 170.0, "delivered " << delivered);
}

BOOST_AUTO_TEST_CASE(frames_in_flight_when_a_link_goes_down_are_lost_and_counted) {
  // The host link is down from 10 us to 20 us: frames on the wire then are lost (link_down), the
  // sender holds the rest until the link is up again; sent = delivered + dropped.
  json j = run_isolated([] {
    Fabric f("fabric", incast_cfg(1));
    f.links[0]->params().down.push_back({10000000, 20000000});
    CountingSink sink;
    f.hosts[1]->set_receiver(&sink);
    UdpFlowSpec s;
    s.count = 500;
    UdpSource src(*f.hosts[0], s);
    sc_core::sc_start();
    return json{{"sent", src.sent()}, {"delivered", sink.frames}, {"drops", fabric_drops(f)}};
  });
  BOOST_TEST(j["drops"]["link_down"].get<uint64_t>() > 0u);
  BOOST_TEST(j["sent"].get<uint64_t>() == j["delivered"].get<uint64_t>() + j["drops"]["total"].get<uint64_t>());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(topologies)

BOOST_AUTO_TEST_CASE(fat_tree_has_the_textbook_shape_and_routes) {
  // k-ary fat-tree (Al-Fares 2008): k^3/4 hosts, 5k^2/4 switches, 3k^3/4 links; full bisection
  // = hosts/2 x host rate. k = 4: 16 hosts, 20 switches, 48 links, 800 Gbps; k = 8: 128, 80, 384, 6400.
  for (uint32_t k : {4u, 8u}) {
    json j = run_isolated([&] {
      TopologyConfig t;
      t.k = k;
      Fabric f("fabric", t);
      // Equal-cost next hops from an edge switch (tier 0) to a host in another pod: k/2 uplinks.
      json ecmp = json::array();
      for (size_t i = 0; i < f.switches.size(); ++i)
        if (f.switch_tier[i] == 0) {
          ecmp.push_back(f.switches[i]->route(uint32_t(f.hosts.size() - 1)).size());
          break;
        }
      return json{{"summary", f.summary()}, {"edge_ecmp", ecmp}};
    });
    BOOST_TEST(j["summary"]["hosts"].get<uint32_t>() == k * k * k / 4);
    BOOST_TEST(j["summary"]["switches"].get<uint32_t>() == 5 * k * k / 4);
    BOOST_TEST(j["summary"]["links"].get<uint32_t>() == 3 * k * k * k / 4);
    BOOST_TEST(j["summary"]["bisection_gbps"].get<double>() == k * k * k / 8 * 100.0);
    BOOST_TEST(j["edge_ecmp"][0].get<uint32_t>() == k / 2);
  }
}

BOOST_AUTO_TEST_CASE(invalid_topologies_are_refused_naming_the_key) {
  TopologyConfig t;
  t.k = 5;
  BOOST_CHECK_EXCEPTION(t.validate(), ConfigError,
                        [](const ConfigError& e) { return std::string(e.what()).find("topology.k") != std::string::npos; });
  TopologyConfig u;
  u.sw.pfc_xon_kib = 200;
  u.sw.pfc_xoff_kib = 100;
  BOOST_CHECK_EXCEPTION(u.validate(), ConfigError, [](const ConfigError& e) {
    return std::string(e.what()).find("topology.switch.pfc_xon_kib") != std::string::npos;
  });
  ConfigRegistry reg;
  TopologyConfig v;
  v.register_params(reg);
  BOOST_CHECK_EXCEPTION(reg.load_text("topology:\n  kk: 4\n", "test.yaml"), ConfigError, [](const ConfigError& e) {
    const std::string m = e.what();
    return m.find("topology.kk") != std::string::npos && m.find("test.yaml") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(custom_topology_builds_and_bad_ones_are_refused_before_simulation) {
  // A valid custom graph: h0 - s0 - s1 - h1, routed end to end.
  const std::string base = "topology:\n  type: custom\n  custom_hosts: 2\n  custom_switches: 2\n  links:\n";
  const std::string ok = base +
                         "    - {a: h0, b: s0, gbps: 100, delay_ns: 1000}\n"
                         "    - {a: h1, b: s1, gbps: 100, delay_ns: 1000}\n"
                         "    - {a: s0, b: s1, gbps: 40, delay_ns: 500, a_port: 1, b_port: 1}\n";
  json j = run_isolated([&] {
    TopologyConfig t;
    ConfigRegistry reg;
    t.register_params(reg);
    reg.load_text(ok, "ok.yaml");
    Fabric f("fabric", t);
    CountingSink sink;
    f.hosts[1]->set_receiver(&sink);
    UdpFlowSpec s;
    s.dst_host = 1;
    UdpSource src(*f.hosts[0], s);
    sc_core::sc_start();
    return json{{"summary", f.summary()}, {"delivered", sink.frames}};
  });
  BOOST_TEST(j["summary"]["links"].get<int>() == 3);
  BOOST_TEST(j["delivered"].get<int>() == 1);

  auto refused = [&](const std::string& links, const std::string& expect) {
    json r = run_isolated([&] {
      TopologyConfig t;
      ConfigRegistry reg;
      t.register_params(reg);
      try {
        reg.load_text(base + links, "bad.yaml");
        t.validate();
        Fabric f("fabric", t);
      } catch (const ConfigError& e) {
        return json{{"error", e.what()}};
      }
      return json{{"error", ""}};
    });
    const std::string msg = r["error"];
    BOOST_TEST(msg.find(expect) != std::string::npos, "expected '" << expect << "' in: " << msg);
  };
  // A port used twice.
  refused("    - {a: h0, b: s0, gbps: 100, delay_ns: 1000}\n    - {a: h1, b: s0, gbps: 100, delay_ns: 1000, b_port: 0}\n",
          "port s0:0 used twice");
  // A missing parameter, named with its record and line.
  refused("    - {a: h0, b: s0, delay_ns: 1000}\n", "missing field 'gbps' in topology.links[0]");
  // A disconnected graph: s1 and h1 have no path to h0.
  refused("    - {a: h0, b: s0, gbps: 100, delay_ns: 1000}\n    - {a: h1, b: s1, gbps: 100, delay_ns: 1000}\n",
          "disconnected");
  // An unknown node.
  refused("    - {a: h0, b: s7, gbps: 100, delay_ns: 1000}\n", "unknown node 's7'");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ecmp)

BOOST_AUTO_TEST_CASE(thousand_flows_spread_evenly_over_four_spines) {
  // Leaf-spine, 4 spines: 1000 single-frame flows (distinct 5-tuples) from leaf 0 to leaf 1 must land
  // on the four uplinks within 15 % of the even share of 250 (binomial sd = sqrt(1000 x 1/4 x 3/4) = 13.7,
  // so 15 % = 37.5 frames is 2.7 sd per spine).
  json j = run_isolated([] {
    TopologyConfig t;
    t.type = "leaf_spine";
    t.leaves = 2;
    t.spines = 4;
    t.hosts_per_leaf = 8;
    Fabric f("fabric", t);
    std::vector<std::unique_ptr<UdpSource>> src;
    CountingSink sink;
    for (auto& h : f.hosts) h->set_receiver(&sink);
    for (uint32_t i = 0; i < 1000; ++i) {
      UdpFlowSpec s;
      s.dst_host = 8 + i % 8;  // hosts 8..15 sit on leaf 1
      s.src_port = uint16_t(10000 + i);
      s.start_ps = ps_t(i) * 200000;
      src.push_back(std::make_unique<UdpSource>(*f.hosts[i % 8], s));
    }
    sc_core::sc_start();
    // Leaf 0 is switch 4 (spines first); its ports 8..11 face the spines.
    json up = json::array();
    Switch& leaf0 = *f.switches[4];
    for (uint32_t p = 8; p < leaf0.num_ports(); ++p) up.push_back(leaf0.port(p).counters().tx_frames);
    return json{{"uplinks", up}, {"delivered", sink.frames}};
  });
  BOOST_TEST(j["delivered"].get<uint64_t>() == 1000u);
  BOOST_TEST_REQUIRE(j["uplinks"].size() == 4u);
  for (auto& n : j["uplinks"]) BOOST_TEST(std::fabs(n.get<double>() - 250.0) <= 37.5, "uplink carried " << n);
}

// Sends `count` 1514-byte UDP frames at line rate to host `dst`; every fourth has a bit of its IPv4
// source address flipped after its checksum was computed.
class BadChecksumSource : public EventHandler {
 public:
  BadChecksumSource(Host& h, uint32_t dst, uint32_t count) : h_(h), dst_(dst), count_(count) {
    h.ctx().events.schedule(0, this, 0);
  }
  void on_event(uint32_t, void*, uint64_t) override {
    NetContext& ctx = h_.ctx();
    tlm::tlm_generic_payload* gp = ctx.pool.allocate(1514);
    UdpAddressing a;
    a.src_mac = h_.mac();
    a.src_ip = h_.ip();
    a.dst_ip = host_ip(dst_);
    a.src_port = uint16_t(1000 + h_.id());
    a.dst_port = 2000;
    a.ecn = kEcnEct0;
    a.ip_id = uint16_t(sent_);
    gp->set_data_length(uint32_t(encode_udp(gp->get_data_ptr(), PacketPool::capacity(*gp), a, nullptr,
                                            1514 - kEthHeaderBytes - kIpv4HeaderBytes - kUdpHeaderBytes)));
    if (sent_ % 4 == 3) gp->get_data_ptr()[kIpOffset + 12] ^= 0x01;
    h_.send(gp);
    if (++sent_ < count_) ctx.events.schedule(ctx.now() + serialization_ps(1538 * 8, 100), this, 0);
  }

 private:
  Host& h_;
  uint32_t dst_, count_, sent_ = 0;
};

BOOST_AUTO_TEST_CASE(a_switch_drops_frames_with_a_bad_ip_checksum_with_the_lookahead_on_and_off) {
  // With the lookahead on, a switch takes a routed frame's egress port from its prefetch chain, which
  // checked everything the switch checks before the IPv4 checksum; the checksum itself is still checked
  // on every frame. Four hosts send 40 frames each at line rate to a fifth through one switch (a queue
  // builds, so the event list's window is full and the chain runs); every fourth frame has a bad
  // checksum. Expected either way: 4 x 10 = 40 drops for ip_checksum at the switch, 4 x 30 = 120
  // frames delivered, nothing dropped at the receiver.
  for (const std::string la : {"off", "on"}) {
    json j = run_isolated([la] {
      TopologyConfig t = incast_cfg(4);
      t.lookahead = la;
      Fabric f("fabric", t);
      f.events.set_decoupled(true);  // (as the benchmark: one activation runs many records, so the window fills)
      CountingSink sink;
      f.hosts[4]->set_receiver(&sink);
      std::vector<std::unique_ptr<BadChecksumSource>> src;
      for (uint32_t i = 0; i < 4; ++i) src.push_back(std::make_unique<BadChecksumSource>(*f.hosts[i], 4, 40));
      sc_core::sc_start();
      return json{{"lookahead", f.events.lookahead()},
                  {"delivered", sink.frames},
                  {"switch_checksum_drops", f.switches[0]->drops()[DropReason::ip_checksum]},
                  {"receiver_drops", f.hosts[4]->drops().total()}};
    });
    BOOST_TEST(j["lookahead"].get<bool>() == (la == "on"));
    BOOST_TEST(j["switch_checksum_drops"].get<uint64_t>() == 40u, "lookahead " << la);
    BOOST_TEST(j["delivered"].get<uint64_t>() == 120u, "lookahead " << la);
    BOOST_TEST(j["receiver_drops"].get<uint64_t>() == 0u, "lookahead " << la);
  }
}

BOOST_AUTO_TEST_CASE(event_list_lookahead_changes_no_result) {
  // The lookahead (EventQueue::set_lookahead) only loads memory ahead, and lets a switch take the egress
  // port its prefetch stage found (checked against the route lookup on every frame in builds with
  // PANAMA_CHECK_INVARIANTS, the sanitizer run). Off and on, a k = 4 fat-tree of 16 DCTCP flows in a
  // permutation must run the same events and move the same frames.
  json r[2];
  for (int on : {0, 1}) {
    FabricBenchPoint p;
    p.k = 4;
    p.sim_ms = 0.5;
    p.lookahead = on;
    r[on] = run_isolated([p] { return run_fabric_bench(p); });
    BOOST_TEST_MESSAGE("lookahead " << on << ": " << r[on].dump());
    BOOST_TEST(r[on]["lookahead"].get<bool>() == bool(on));
  }
  BOOST_TEST(r[0]["packet_hops"].get<uint64_t>() > 10000u);  // a run that moved frames (301,248 hops measured)
  for (const char* key : {"packet_hops", "events", "end_packets", "end_pending_events", "end_switch_queued", "drops"})
    BOOST_TEST(r[0][key] == r[1][key], key << ": " << r[0][key] << " vs " << r[1][key]);
  BOOST_TEST(r[0]["delivered_gbps"].get<double>() == r[1]["delivered_gbps"].get<double>());
  // The fabric chooses by its port count (Fabric::kLookaheadPorts = 2048): k = 8 has 768 ports, k = 16
  // has 6144.
  const json chosen = run_isolated([] {
    TopologyConfig t;
    t.type = "fat_tree";
    t.k = 8;
    Fabric small("small", t);
    t.k = 16;
    Fabric large("large", t);
    return json{{"k8", small.events.lookahead()}, {"k16", large.events.lookahead()}};
  });
  BOOST_TEST(!chosen["k8"].get<bool>());
  BOOST_TEST(chosen["k16"].get<bool>());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(statistics)

BOOST_AUTO_TEST_CASE(summary_and_queue_time_series_report_what_happened) {
  // 2-to-1 incast, 1000 lossy frames each at line rate into one 100 Gbps port: the receiver's port is
  // busy for 2000 x 123.04 ns = 246.08 us; the summary must count those bytes, the port's utilisation over
  // the run, and the sampled queue must rise above zero; the CSV has a header and one row per sample.
  const std::string csv = "test_fabric_queue.csv";
  json j = run_isolated([&] {
    Fabric f("fabric", incast_cfg(2));
    CountingSink sink;
    f.hosts[2]->set_receiver(&sink);
    TwoSendersToHost2 senders(f, 1000);
    QueueSampler qs(f, {{0, 2, kTcLossy}}, 1000000, csv, 300000000);  // switch 0, port 2 (to host 2), every 1 us
    sc_core::sc_start();
    const ps_t end = f.ctx.now();
    uint64_t peak = 0;
    for (auto v : qs.samples) peak = std::max<uint64_t>(peak, v);
    return json{{"summary", fabric_summary(f, end, true)}, {"end", end}, {"samples", qs.samples.size()},
                {"peak_sampled", peak}, {"delivered", sink.frames}};
  });
  const json& s = j["summary"];
  BOOST_TEST(j["delivered"].get<uint64_t>() == 2000u);
  json port;
  for (auto& p : s["ports"])
    if (p["port"] == 2) port = p;
  BOOST_TEST_REQUIRE(!port.is_null());
  BOOST_TEST(port["tx_frames"].get<uint64_t>() == 2000u);
  BOOST_TEST(port["tx_bytes"].get<uint64_t>() == 2000u * 1514u);
  // Busy 246.08 us of the run (which ends when the last frame arrives, a little later).
  const double busy_us = 2000 * 0.12304, run_us = j["end"].get<double>() / 1e6;
  BOOST_TEST(std::fabs(port["utilisation"].get<double>() - busy_us / run_us) < 1e-6);
  // The peak queue: the two senders' frames reach the switch in pairs every 123.04 ns, one leaves
  // per 123.04 ns. The first of the first pair starts at once and its partner waits. At each later
  // instant the port's line comes free just as the pair arrives: the first arrival joins the queue and
  // the head starts (i + 1 frames queued then at the i-th instant), the second waits for the next.
  // At the last instant (i = 999) that is 1000 frames (the same whether the peak is taken as a frame
  // joins the queue or, as the port does, as one leaves it).
  BOOST_TEST(port["peak_queue_bytes"].get<uint64_t>() == 1000u * 1514u);
  BOOST_TEST(j["peak_sampled"].get<uint64_t>() > 0u);
  BOOST_TEST(s["drops_total"].get<uint64_t>() == 0u);
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  BOOST_TEST(header == "time_us,switch,port,tc,queue_bytes,queue_packets,tx_bytes");
  size_t rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  BOOST_TEST(rows == j["samples"].get<size_t>());
}

BOOST_AUTO_TEST_CASE(peak_queue_counts_frames_queued_since_the_last_start) {
  // The port takes its peak queue when a frame starts (the queue only grows in between); frames queued
  // after the last start count too. Here none starts: the switch's port to host 2 is paused in the
  // lossy class from the outset, so every frame of the 2-to-1 incast waits there. After 20 us its peak
  // is what it holds, and both are whole frames: 1514 B each.
  json j = run_isolated([&] {
    Fabric f("fabric", incast_cfg(2));
    CountingSink sink;
    f.hosts[2]->set_receiver(&sink);
    TwoSendersToHost2 senders(f, 100);
    EgressPort& port = f.switches[0]->port(2);
    port.pause(kTcLossy, ~ps_t(0) >> 1);
    sc_core::sc_start(sc_core::sc_time(20, sc_core::SC_US));
    return json{{"peak", port.counters().peak_queue_bytes}, {"queued", port.queue_bytes(kTcLossy)},
                {"tx", port.counters().tx_frames}, {"delivered", sink.frames}};
  });
  // By 20 us each sender has put (20 us - 1 us propagation) / 123.04 ns ~ 154 > 100 frames on its
  // link: all 200 have reached the switch (the last by 1.12 + 99 x 0.12304 = 13.3 us).
  BOOST_TEST(j["queued"].get<uint64_t>() == 200u * 1514u);
  BOOST_TEST(j["peak"].get<uint64_t>() == 200u * 1514u);
  BOOST_TEST(j["tx"].get<uint64_t>() == 0u);
  BOOST_TEST(j["delivered"].get<uint64_t>() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(scheduling)

BOOST_AUTO_TEST_CASE(strict_priority_serves_lossless_first_and_drr_shares_equally) {
  // Two senders at 100 Gbps into one 100 Gbps port: one lossless (class 3), one lossy (class 0), 3000
  // frames each. Of the first 2000 frames the receiver gets after both queues are busy, strict priority
  // gives (almost) all to the lossless class; DRR with equal quanta and equal frame sizes gives half
  // to each (we allow +-5 %).
  for (const char* sched : {"strict", "drr"}) {
    const json j = two_class_incast(sched, SwitchConfig{}.drr_quantum_bytes, 3000, 3000, UdpFlowSpec{}.frame_bytes);
    const double share = lossless_share(j, 200, 2000);
    BOOST_TEST_MESSAGE(sched << ": lossless share " << share);
    if (std::string(sched) == "strict") BOOST_TEST(share >= 0.99, "strict: " << share);
    else BOOST_TEST(std::fabs(share - 0.5) <= 0.05, "drr: " << share);
  }
}

BOOST_AUTO_TEST_CASE(drr_with_the_smallest_quantum_still_sends_jumbo_frames) {
  // DRR at the smallest quantum the config allows (64 B) with 9014-byte frames: a class needs
  // ceil(9038 / 64) = 142 visits of credit per frame. Two senders, one per class (200 lossless and 150
  // lossy frames): every frame arrives (first both classes queue, then one drains alone), and while
  // both queue they share the port equally (+-5 %), as equal frames and equal quanta give.
  const json j = two_class_incast("drr", 64, 200, 150, 9014);
  const double share = lossless_share(j, 20, 200);
  BOOST_TEST_MESSAGE("drr, quantum 64 B, jumbo frames: " << j["order"].size() << " frames, " << j["drops"]
                                                         << " drops, lossless share " << share);
  BOOST_TEST(j["order"].size() == 350u);
  BOOST_TEST(j["drops"].get<uint64_t>() == 0u);
  BOOST_TEST(std::fabs(share - 0.5) <= 0.05);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pfc)

BOOST_AUTO_TEST_CASE(lossless_incast_pauses_and_loses_nothing) {
  // 16-to-1 incast in the lossless class: 16 x 100 Gbps into one 100 Gbps port, 1 MB per sender (16 MB)
  // through a 4 MiB shared buffer. Without PFC it would overflow; with PFC (XOFF 96 KiB per ingress
  // port) the switch must pause the senders, drop nothing, and deliver every byte.
  json j = run_isolated([] {
    TopologyConfig t = incast_cfg(16);
    t.sw.buffer_kib = 4096;
    t.sw.pfc_xoff_kib = 96;  // 16 ingress ports x 96 KiB + headroom fits the 4 MiB buffer
    t.sw.pfc_xon_kib = 48;
    Fabric f("fabric", t);
    CountingSink sink;
    f.hosts[16]->set_receiver(&sink);
    std::vector<std::unique_ptr<UdpSource>> src;
    for (uint32_t i = 0; i < 16; ++i) {
      UdpFlowSpec s;
      s.dst_host = 16;
      s.src_port = uint16_t(5000 + i);
      s.count = 1000000 / 1500 + 1;  // 667 frames of 1500 B payload-ish
      s.lossless = true;
      src.push_back(std::make_unique<UdpSource>(*f.hosts[i], s));
    }
    sc_core::sc_start();
    uint64_t sent = 0, pauses = 0, pause_rx = 0;
    for (auto& s : src) sent += s->sent();
    for (auto& s : f.switches) pauses += s->counters().pause_sent;
    for (uint32_t i = 0; i < 16; ++i) pause_rx += f.hosts[i]->port(0).counters().pause_received;
    return json{{"sent", sent}, {"delivered", sink.frames}, {"bytes", sink.bytes}, {"pauses", pauses},
                {"pause_rx", pause_rx}, {"drops", fabric_drops(f)},
                {"peak", f.switches[0]->counters().buffer_peak_bytes}};
  });
  BOOST_TEST(j["drops"]["total"].get<uint64_t>() == 0u);
  BOOST_TEST(j["pauses"].get<uint64_t>() > 0u);
  BOOST_TEST(j["pause_rx"].get<uint64_t>() > 0u);
  BOOST_TEST(j["delivered"] == j["sent"]);
  BOOST_TEST(j["bytes"].get<uint64_t>() == 16u * 667u * 1514u);
  BOOST_TEST(j["peak"].get<uint64_t>() <= 4096u * 1024u);
}

BOOST_AUTO_TEST_CASE(a_pause_without_resume_ends_when_its_quanta_expire) {
  // The host's lossy class is paused until 5 us with an empty queue, and no RESUME ever comes (as if it
  // was lost). A frame queued at 0 must still leave at 5 us: it arrives at 5 us + 2 x (123.04 ns + 1 us).
  json j = run_isolated([] {
    Fabric f("fabric", incast_cfg(1));
    CountingSink sink;
    sink.record_arrivals = true;
    f.hosts[1]->set_receiver(&sink);
    f.hosts[0]->port(0).pause(kTcLossy, 5000000);
    UdpFlowSpec s;
    s.dst_host = 1;
    UdpSource src(*f.hosts[0], s);
    sc_core::sc_start();
    return json{{"arrivals", sink.arrivals}};
  });
  BOOST_TEST_REQUIRE(j["arrivals"].size() == 1u);
  BOOST_TEST(j["arrivals"][0].get<uint64_t>() == 5000000u + 2u * 1123040u);
}

BOOST_AUTO_TEST_CASE(lossy_incast_without_pfc_drops_with_a_reason) {
  // The same incast in the lossy class: the buffer overflows, and every frame is either delivered or
  // counted as buffer_overflow (conservation), never lost silently.
  json j = run_isolated([] {
    TopologyConfig t = incast_cfg(16);
    t.sw.buffer_kib = 1024;
    Fabric f("fabric", t);
    CountingSink sink;
    f.hosts[16]->set_receiver(&sink);
    std::vector<std::unique_ptr<UdpSource>> src;
    for (uint32_t i = 0; i < 16; ++i) {
      UdpFlowSpec s;
      s.dst_host = 16;
      s.src_port = uint16_t(5000 + i);
      s.count = 300;
      src.push_back(std::make_unique<UdpSource>(*f.hosts[i], s));
    }
    sc_core::sc_start();
    uint64_t sent = 0;
    for (auto& s : src) sent += s->sent();
    const SwitchCounters c = f.switches[0]->counters();
    return json{{"sent", sent}, {"delivered", sink.frames}, {"drops", fabric_drops(f)}, {"forwarded", c.forwarded},
                {"peak", c.buffer_peak_bytes}, {"used_at_end", f.switches[0]->buffer_used()}};
  });
  BOOST_TEST(j["drops"]["buffer_overflow"].get<uint64_t>() > 0u);
  BOOST_TEST(j["drops"]["lossless_overflow"].get<uint64_t>() == 0u);
  BOOST_TEST(j["sent"].get<uint64_t>() == j["delivered"].get<uint64_t>() + j["drops"]["total"].get<uint64_t>());
  // Every admitted frame leaves through the one switch: admitted = delivered, and the buffer is empty
  // once the run ends.
  BOOST_TEST(j["forwarded"].get<uint64_t>() == j["delivered"].get<uint64_t>());
  BOOST_TEST(j["used_at_end"].get<uint64_t>() == 0u);
  // One congested queue under the dynamic threshold (alpha = 1): a frame of b bytes is admitted while
  // q + b <= C - q, so the queue (all the buffer in use) peaks within half a frame of C / 2:
  // C / 2 - b < peak <= (C + b) / 2, C = 1 MiB, b = 1514 B.
  const uint64_t peak = j["peak"].get<uint64_t>();
  BOOST_TEST(peak > 1048576u / 2 - 1514u);
  BOOST_TEST(peak <= (1048576u + 1514u) / 2);
}

BOOST_AUTO_TEST_SUITE_END()
