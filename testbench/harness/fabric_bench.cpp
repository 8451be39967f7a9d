#include "harness/fabric_bench.h"

#include "network/topology.h"
#include "transport/dctcp.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

namespace panama {

nlohmann::json run_fabric_bench(const FabricBenchPoint& p) {
  const auto t0 = std::chrono::steady_clock::now();
  TopologyConfig t;
  t.type = "fat_tree";
  t.k = p.k;
  t.host_gbps = t.fabric_gbps = t.core_gbps = p.gbps;
  t.seed = p.seed;
  Fabric fabric("fabric", t);
  DctcpConfig dc;
  DctcpTransport tcp(fabric, dc);
  // A random permutation without fixed points: host i sends to perm[i] != i.
  const uint32_t n = uint32_t(fabric.hosts.size());
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::mt19937_64 rng(uint64_t(p.seed));
  do {
    std::shuffle(perm.begin(), perm.end(), rng);
  } while (std::any_of(perm.begin(), perm.end(), [i = 0u](uint32_t v) mutable { return v == i++; }));
  const uint64_t flow_bytes = uint64_t(p.gbps / 8 * 1e9 * p.sim_ms / 1e3 * 2);  // outlasts the run
  for (uint32_t i = 0; i < n; ++i) tcp.start_flow(*fabric.hosts[i], *fabric.hosts[perm[i]], flow_bytes, 0);
  // The packets the loaded fabric will hold are made while it is built (their memory faulted in and
  // zeroed by the kernel now, in build_s, not on first use during the run): as many ACKs as its links
  // hold on the wire (bandwidth x delay of each direction), and one and a half times as many MTU data
  // segments, the half for those queued in the switches and NICs behind the ones on the wire (the k = 16
  // run made 77,797 data segments, 1.41x what its links hold, and never more ACKs than they hold;
  // without the margin the pool grew during the run, and the kernel's page zeroing took 2 % of it).
  size_t on_wire = 0;
  for (const auto& l : fabric.links)
    on_wire += 2 * size_t(std::ceil(l->params().gbps * 1e9 * double(l->params().delay_ps) * 1e-12 /
                                    (double(tcp_wire_bytes(dc.mss)) * 8)));
  const size_t data_reserve = on_wire + on_wire / 2;
  fabric.ctx.pool.reserve(PacketPool::kMtuClean, data_reserve);
  fabric.ctx.pool.reserve(PacketPool::kSmall, on_wire);
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // No PSwitch here: the fabric's event list may run ahead of kernel time up to the end of the window.
  const ps_t end = ps_t(p.sim_ms * 1e9);
  if (p.decoupled) fabric.events.set_decoupled(true, end);
  if (p.lookahead >= 0) fabric.events.set_lookahead(p.lookahead == 1);
  struct rusage ru0 {};
  getrusage(RUSAGE_SELF, &ru0);
  const auto t1 = std::chrono::steady_clock::now();
  sc_core::sc_start(from_ps(end));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();

  uint64_t hops = 0, delivered_bytes = 0, host_queued = 0, switch_queued = 0;
  for (auto& h : fabric.hosts) host_queued += h->fq_frames() + h->port(0).queue_packets(kTcLossy) + h->port(0).queue_packets(kTcAckNic);
  for (auto& s : fabric.switches)
    for (uint32_t q = 0; q < s->num_ports(); ++q) switch_queued += s->port(q).queue_packets(kTcLossy);
  for (auto& s : fabric.switches)
    for (uint32_t q = 0; q < s->num_ports(); ++q) hops += s->rx_frames(q);
  for (auto& h : fabric.hosts) {
    hops += h->rx_frames(0);
    delivered_bytes += h->rx_bytes(0);
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  const uint64_t events = fabric.events.executed();
  return nlohmann::json{{"build", PANAMA_BUILD_FLAVOUR},
                        {"hosts", n},
                        {"switches", fabric.switches.size()},
                        {"sim_ms", p.sim_ms},
                        {"flows", n},
                        {"packet_hops", hops},
                        {"packet_hops_per_s", wall > 0 ? double(hops) / wall : 0.0},
                        {"events", events},
                        {"events_per_s", wall > 0 ? double(events) / wall : 0.0},
                        {"wall_s", wall},
                        {"build_s", build_s},
                        {"peak_rss_mb", double(ru.ru_maxrss) / 1024.0},
                        {"delivered_gbps", double(delivered_bytes) * 8 / (p.sim_ms * 1e-3) / 1e9},
                        {"reserved_packets", data_reserve + on_wire},
                        {"peak_packets", fabric.ctx.pool.peak_in_use()},
                        {"end_packets", fabric.ctx.pool.in_use()},
                        {"end_pending_events", fabric.events.pending()},
                        {"event_lanes", fabric.events.lanes()},
                        {"lookahead", fabric.events.lookahead()},
                        {"end_host_queued", host_queued},
                        {"end_switch_queued", switch_queued},
                        {"created_mtu_packets", fabric.ctx.pool.created(PacketPool::kMtuClean)},  // = the reserve: no growth
                        {"created_small_packets", fabric.ctx.pool.created(PacketPool::kSmall)},
                        {"run_page_faults", ru.ru_minflt - ru0.ru_minflt},
                        {"drops", fabric.total_drops()}};
}

}  // namespace panama
