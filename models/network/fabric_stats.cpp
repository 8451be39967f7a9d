#include "network/fabric_stats.h"

#include <algorithm>

namespace panama {

nlohmann::json fabric_summary(const Fabric& f, ps_t elapsed, bool all_ports) {
  nlohmann::json ports = nlohmann::json::array();
  struct Row {
    double util;
    nlohmann::json j;
  };
  std::vector<Row> rows;
  uint64_t tx_bytes = 0, ecn = 0, pause_tx = 0, pause_rx = 0;
  for (size_t s = 0; s < f.switches.size(); ++s) {
    const Switch& sw = *f.switches[s];
    for (uint32_t p = 0; p < sw.num_ports(); ++p) {
      const PortCounters c = sw.port(p).counters();
      tx_bytes += c.tx_bytes;
      ecn += c.ecn_marked;
      pause_tx += c.pause_sent;
      pause_rx += c.pause_received;
      const double util = elapsed ? double(c.busy_ps) / double(elapsed) : 0.0;
      rows.push_back(Row{util, nlohmann::json{{"switch", sw.basename()}, {"port", p}, {"tx_frames", c.tx_frames},
                                              {"tx_bytes", c.tx_bytes}, {"rx_bytes", sw.rx_bytes(p)}, {"utilisation", util},
                                              {"peak_queue_bytes", c.peak_queue_bytes}, {"ecn_marked", c.ecn_marked},
                                              {"pause_sent", c.pause_sent}, {"pause_received", c.pause_received}}});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.util > b.util; });
  const size_t n = all_ports ? rows.size() : std::min<size_t>(rows.size(), 10);
  for (size_t i = 0; i < n; ++i) ports.push_back(rows[i].j);

  nlohmann::json drops = nlohmann::json::object();
  for (size_t r = 0; r < size_t(NetDrop::count_); ++r) {
    uint64_t v = 0;
    for (auto& s : f.switches) v += s->net_drops(NetDrop(r));
    for (auto& h : f.hosts) v += h->net_drops(NetDrop(r));
    drops[kNetDropNames[r]] = v;
  }
  for (size_t r = 0; r < size_t(DropReason::count_); ++r) {
    uint64_t v = 0;
    for (auto& s : f.switches) v += s->drops().n[r];
    for (auto& h : f.hosts) v += h->drops().n[r];
    if (v) drops[std::string(kDropReasonNames[r])] = v;
  }
  return nlohmann::json{{"topology", f.summary()},
                        {"elapsed_us", double(elapsed) / 1e6},
                        {"switch_tx_bytes", tx_bytes},
                        {"ecn_marked", ecn},
                        {"pause_sent", pause_tx},
                        {"pause_received", pause_rx},
                        {"drops", drops},
                        {"drops_total", f.total_drops()},
                        {"drops_lossless", f.lossless_drops()},
                        {all_ports ? "ports" : "busiest_ports", ports}};
}

QueueSampler::QueueSampler(Fabric& f, std::vector<Probe> probes, ps_t interval, const std::string& path, ps_t until)
    : f_(f), probes_(std::move(probes)), interval_(interval), until_(until) {
  if (!path.empty()) {
    csv_.open(path);
    csv_ << "time_us,switch,port,tc,queue_bytes,queue_packets,tx_bytes\n";
  }
  f.events.schedule(0, this, 0);
}

void QueueSampler::on_event(uint32_t, void*, uint64_t) {
  const ps_t now = f_.ctx.now();
  for (const Probe& p : probes_) {
    const EgressPort& ep = f_.switches[p.sw]->port(p.port);
    samples.push_back(ep.queue_packets(p.tc));
    if (csv_.is_open())
      csv_ << double(now) / 1e6 << ',' << f_.switches[p.sw]->basename() << ',' << p.port << ',' << int(p.tc) << ','
           << ep.queue_bytes(p.tc) << ',' << ep.queue_packets(p.tc) << ',' << ep.counters().tx_bytes << '\n';
  }
  if (now + interval_ <= until_) f_.events.schedule(now + interval_, this, 0);
}

}  // namespace panama
