#include "experiment/explicit_flows.h"

#include "experiment/report.h"

#include "common/stats.h"
#include "network/topology.h"
#include "workload/flow_generator.h"

#include <fstream>
#include <map>

namespace panama {

namespace {
// A host as custom topologies name it: h<n>, n in decimal without sign, spaces or leading zeros.
uint32_t host_name(const std::string& key, const std::string& v, const std::string& origin, uint32_t hosts) {
  bool ok = v.size() >= 2 && v.size() <= 10 && v[0] == 'h' && (v[1] != '0' || v.size() == 2);
  for (size_t i = 1; ok && i < v.size(); ++i) ok = v[i] >= '0' && v[i] <= '9';
  const uint64_t n = ok ? std::stoull(v.substr(1)) : 0;
  if (!ok || (hosts && n >= hosts))
    throw ConfigError("invalid value '" + v + "' for key '" + key + "' (" + origin + "): expected a host name h<n>" +
                      (hosts ? ", n from 0 to " + std::to_string(hosts - 1) : std::string()) +
                      ", n without leading zeros");
  return uint32_t(n);
}
}  // namespace

ExplicitFlow explicit_flow(const ConfigRegistry::Row& r, size_t i, const std::string& origin, uint32_t hosts) {
  const std::string p = "flows[" + std::to_string(i) + "].";
  ExplicitFlow f;
  f.src = host_name(p + "src", r.at("src"), origin, hosts);
  f.dst = host_name(p + "dst", r.at("dst"), origin, hosts);
  if (f.src == f.dst) throw ConfigError("invalid configuration: '" + p + "dst' is the flow's source (" + origin + ")");
  const std::string& size = r.at("size_bytes");
  f.bytes = size == "infinite" ? kInfiniteBytes : uint64_t(config_int(p + "size_bytes", size, origin, 1, int64_t(1e12)));
  if (r.count("start_us")) f.start_us = config_number(p + "start_us", r.at("start_us"), origin, 0.0, 1e9);
  if (r.count("group")) {
    f.group = r.at("group");
    bool ok = !f.group.empty() && f.group.size() <= 64;
    for (char c : f.group)
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.');
    if (!ok)
      throw ConfigError("invalid value '" + f.group + "' for key '" + p + "group' (" + origin +
                        "): expected 1 to 64 letters, digits, '_', '-' or '.'");
  }
  return f;
}

ExplicitFlows::ExplicitFlows(Fabric& fabric, DctcpTransport& transport, std::vector<ExplicitFlow> flows, ps_t from,
                             ps_t to)
    : fabric_(fabric), transport_(transport), flows_(std::move(flows)), from_(flows_.size(), 0), to_(flows_.size(), 0),
      fct_ps_(flows_.size(), 0), from_ps_(from), to_ps_(to) {
  transport_.add_observer(this);
}

void ExplicitFlows::start() {
  // Consecutive ids: nothing else starts a flow between these calls.
  for (size_t i = 0; i < flows_.size(); ++i) {
    const ExplicitFlow& f = flows_[i];
    const uint64_t id = transport_.start_flow(*fabric_.hosts.at(f.src), *fabric_.hosts.at(f.dst), f.bytes,
                                              ps_t(f.start_us * 1e6 + 0.5));
    if (i == 0) first_id_ = id;
  }
  fabric_.events.schedule(from_ps_, this, 0);
  fabric_.events.schedule(to_ps_, this, 1);
}

void ExplicitFlows::snapshot(std::vector<uint64_t>& at) const {
  // The receiver's in-order bytes (0 before the flow began).
  for (size_t i = 0; i < flows_.size(); ++i) at[i] = transport_.flow(first_id_ + i).rcv_nxt;
}

void ExplicitFlows::on_event(uint32_t kind, void*, uint64_t) {
  if (kind == 0) {
    snapshot(from_);
    have_from_ = true;
  } else {
    snapshot(to_);
    have_to_ = true;
  }
}

void ExplicitFlows::on_flow_complete(const FlowRecord& rec) {
  if (flows_.empty() || rec.id < first_id_ || rec.id >= first_id_ + flows_.size()) return;
  fct_ps_[rec.id - first_id_] = rec.fct_ps();
}

double ExplicitFlows::window_mbps(size_t i) const {
  const ps_t end = have_to_ ? to_ps_ : fabric_.ctx.now();
  if (!have_from_ || end <= from_ps_) return 0;
  const uint64_t b = have_to_ ? to_[i] : transport_.flow(first_id_ + i).rcv_nxt;
  return double(b - from_[i]) * 8.0 / (double(end - from_ps_) * 1e-12) / 1e6;
}

nlohmann::json ExplicitFlows::summary() const {
  std::vector<std::string> order;
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < flows_.size(); ++i) {
    if (!members.count(flows_[i].group)) order.push_back(flows_[i].group);
    members[flows_[i].group].push_back(i);
  }
  const uint32_t mss = transport_.config().mss;
  nlohmann::json groups = nlohmann::json::object();
  for (const std::string& g : order) {
    SampleSet mbps, fct, slow;
    uint64_t infinite = 0, measured = 0;
    double sum = 0, sum2 = 0;
    for (size_t i : members[g]) {
      const double x = window_mbps(i);
      mbps.add(x);
      sum += x;
      sum2 += x * x;
      measured += have_from_ ? (have_to_ ? to_[i] : transport_.flow(first_id_ + i).rcv_nxt) - from_[i] : 0;
      if (flows_[i].bytes == kInfiniteBytes) ++infinite;
      if (fct_ps_[i]) {
        fct.add(double(fct_ps_[i]) / 1e6);
        const ps_t ideal = ideal_fct_ps(path_between(fabric_, flows_[i].src, flows_[i].dst), flows_[i].bytes, mss);
        if (ideal) slow.add(double(fct_ps_[i]) / double(ideal));
      }
    }
    const double n = double(members[g].size());
    groups[g] = {{"count", members[g].size()},
                 {"infinite", infinite},
                 {"completed", fct.count()},
                 {"bytes_measured", measured},
                 {"mean_mbps", mbps.mean()},
                 {"min_mbps", mbps.min()},
                 {"max_mbps", mbps.max()},
                 {"jain", sum2 > 0 ? sum * sum / (n * sum2) : 1.0},
                 {"fct_mean_us", fct.mean()},
                 {"fct_p99_us", fct.percentile(99)},
                 {"slowdown_mean", slow.mean()}};
  }
  const ps_t end = have_to_ ? to_ps_ : fabric_.ctx.now();
  return {{"groups", groups}, {"measure_from_us", double(from_ps_) / 1e6}, {"measure_to_us", double(end) / 1e6}};
}

void ExplicitFlows::write_csv(const std::string& path) const {
  CsvTable t({"id", "group", "src", "dst", "bytes", "start_us", "fct_us", "window_mbps"});
  for (size_t i = 0; i < flows_.size(); ++i) {
    const ExplicitFlow& f = flows_[i];
    t.integer(static_cast<long long>(i)).text(f.group).text("h" + std::to_string(f.src)).text("h" + std::to_string(f.dst));
    if (f.bytes == kInfiniteBytes) t.text("infinite");
    else t.integer(static_cast<long long>(f.bytes));
    t.num(f.start_us);
    if (fct_ps_[i]) t.num(double(fct_ps_[i]) / 1e6);
    else t.blank();
    t.num(window_mbps(i)).end_row();
  }
  t.write(path, "explicit_flows.csv");
}

}  // namespace panama
