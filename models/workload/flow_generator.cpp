#include "workload/flow_generator.h"

#include "common/config.h"
#include "common/limits.h"
#include "network/topology.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace panama {

// ---------------------------------------------------------------------------------------------------------
// FlowSizeCdf

namespace {
std::string num_text(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}
}  // namespace

FlowSizeCdf FlowSizeCdf::load(const std::string& path) {
  std::istringstream in(config_read_file(path, "flow-size CDF file"));
  return parse(in, path);
}

FlowSizeCdf FlowSizeCdf::parse(std::istream& in, const std::string& origin) {
  FlowSizeCdf c;
  std::string line;
  size_t lineno = 0, last_line = 0;
  auto fail = [&](size_t n, const std::string& why) {
    throw ConfigError(origin + ":" + std::to_string(n) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++lineno;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream ls(line);
    std::string size_text, pct_text, extra;
    if (!(ls >> size_text >> pct_text) || (ls >> extra))
      fail(lineno, "expected '<bytes> <cumulative percent>', got '" + line + "'");
    // Typed by config_number; the message keeps this file's "file:line: why" form.
    auto number = [&](const std::string& v, double max, const std::string& what) {
      try {
        return config_number(what, v, origin, 0.0, max);
      } catch (const ConfigError&) {
        fail(lineno, what + " must be a finite number within [0, " + num_text(max) + "], got '" + line + "'");
      }
      return 0.0;
    };
    const double bytes = number(size_text, limits::kFlowBytes, "size (bytes)");
    const double pct = number(pct_text, 100.0, "cumulative percent");
    if (!c.pts_.empty()) {
      if (bytes <= c.pts_.back().first) fail(lineno, "sizes must be strictly increasing");
      if (pct < c.pts_.back().second) fail(lineno, "cumulative percent must not decrease");
    }
    c.pts_.emplace_back(bytes, pct);
    last_line = lineno;
  }
  if (c.pts_.empty()) throw ConfigError(origin + ": no CDF points");
  if (c.pts_.back().second != 100.0)
    fail(last_line, "the last point must be at 100 percent (got " + num_text(c.pts_.back().second) + ")");
  // Flows carry at least one byte; a mean below that would ask for an unbounded arrival rate.
  if (!(c.mean() >= 1.0))
    fail(last_line, "the mean flow size is " + num_text(c.mean()) + " bytes: flows carry at least one byte");
  return c;
}

double FlowSizeCdf::mean() const {
  double m = pts_.front().first * pts_.front().second;  // point mass below the first point
  for (size_t i = 1; i < pts_.size(); ++i)
    m += (pts_[i].second - pts_[i - 1].second) * (pts_[i].first + pts_[i - 1].first) / 2;
  return m / 100.0;
}

double FlowSizeCdf::quantile(double u) const {
  if (u <= pts_.front().second) return pts_.front().first;
  auto it = std::lower_bound(pts_.begin(), pts_.end(), u,
                             [](const std::pair<double, double>& p, double v) { return p.second < v; });
  if (it == pts_.end()) return pts_.back().first;
  const auto& hi = *it;
  const auto& lo = *(it - 1);
  if (hi.second == lo.second) return hi.first;
  return lo.first + (hi.first - lo.first) * (u - lo.second) / (hi.second - lo.second);
}

uint64_t FlowSizeCdf::sample(std::mt19937_64& rng) const {
  const double u = std::uniform_real_distribution<double>(0.0, 100.0)(rng);
  return std::max<uint64_t>(1, uint64_t(std::llround(quantile(u))));
}

// ---------------------------------------------------------------------------------------------------------
// Paths and the ideal FCT

double PathInfo::bottleneck_gbps() const { return gbps.empty() ? 0.0 : *std::min_element(gbps.begin(), gbps.end()); }

PathInfo path_between(Fabric& fabric, uint32_t src, uint32_t dst) {
  PathInfo p;
  NetNode* node = fabric.hosts.at(src).get();
  const NetNode* target = fabric.hosts.at(dst).get();
  uint32_t port = 0;
  for (size_t hops = 0; hops < 64; ++hops) {
    const Link& l = node->port(port).link();
    p.gbps.push_back(l.params().gbps);
    p.delay_ps.push_back(l.params().delay_ps);
    NetNode& next = l.peer_of(node);
    if (&next == target) return p;
    auto* sw = dynamic_cast<Switch*>(&next);
    if (!sw || sw->route(dst).empty())
      throw std::runtime_error("no route from host " + std::to_string(src) + " to host " + std::to_string(dst));
    node = sw;
    port = sw->route(dst).front();
  }
  throw std::runtime_error("route loop between hosts " + std::to_string(src) + " and " + std::to_string(dst));
}

namespace {
uint64_t wire_bits(uint64_t payload) { return uint64_t(tcp_wire_bytes(size_t(payload))) * 8; }
}  // namespace

ps_t ideal_fct_ps(const PathInfo& path, uint64_t bytes, uint32_t mss) {
  if (bytes == 0 || path.gbps.empty()) return 0;
  const uint64_t n = (bytes + mss - 1) / mss;
  const uint64_t last = bytes - (n - 1) * mss;
  ps_t sum_full = 0, sum_prop = 0, max_full = 0;
  ps_t d_last = 0;  // departure of the last segment from the current link (end of serialisation)
  ps_t ack = 0;
  for (size_t i = 0; i < path.gbps.size(); ++i) {
    const ps_t full = serialization_ps(wire_bits(mss), path.gbps[i]);
    sum_full += full;
    max_full = std::max(max_full, full);
    const ps_t arrive = i == 0 ? 0 : d_last + path.delay_ps[i - 1];
    const ps_t pred = n >= 2 ? sum_full + sum_prop + (n - 2) * max_full : 0;  // D(n-2, i)
    d_last = std::max(arrive, pred) + serialization_ps(wire_bits(last), path.gbps[i]);
    sum_prop += path.delay_ps[i];
    ack += serialization_ps(wire_bits(0), path.gbps[i]) + path.delay_ps[i];
  }
  return d_last + path.delay_ps.back() + ack;
}

// ---------------------------------------------------------------------------------------------------------
// FlowGenerator

void FlowGenConfig::register_params(ConfigRegistry& reg, const std::string& p) {
  reg.add(p + ".cdf", &cdf, "flow-size CDF file (<bytes> <cumulative percent> per line)");
  reg.add(p + ".load", &load, "offered load, fraction of the hosts' aggregate link capacity", 0.0, 10.0);
  reg.add(p + ".start_us", &start_us, "first arrival no earlier than this, us", 0.0, 1e12);
  reg.add(p + ".duration_us", &duration_us, "arrivals during this long, us", 0.0, 1e12);
  reg.add(p + ".max_flows", &max_flows, "stop after this many flows (0: no limit)", 0, UINT32_MAX);
  reg.add(p + ".seed", &seed, "random seed of sizes, arrivals and pairs", 0, INT64_MAX);
}

FlowGenerator::FlowGenerator(Fabric& fabric, DctcpTransport& transport, const FlowSizeCdf& cdf,
                             const FlowGenConfig& cfg)
    : fabric_(fabric), transport_(transport), cdf_(cdf), cfg_(cfg), rng_(uint64_t(cfg.seed)) {
  if (fabric.hosts.size() < 2) throw std::invalid_argument("flow generator: the fabric needs two hosts");
  for (auto& h : fabric.hosts) hosts_.push_back(h->index());
  transport.add_observer(this);
}

void FlowGenerator::set_pairs(std::vector<std::pair<uint32_t, uint32_t>> pairs) {
  for (auto& p : pairs)
    if (p.first == p.second || p.first >= fabric_.hosts.size() || p.second >= fabric_.hosts.size())
      throw std::invalid_argument("flow generator: invalid host pair (" + std::to_string(p.first) + ", " +
                                  std::to_string(p.second) + ")");
  pairs_ = std::move(pairs);
}

void FlowGenerator::start() {
  // Sending hosts: every host with random pairs, the distinct sources of a pair list otherwise.
  std::vector<uint32_t> senders;
  if (pairs_.empty()) senders = hosts_;
  else
    for (auto& p : pairs_)
      if (std::find(senders.begin(), senders.end(), p.first) == senders.end()) senders.push_back(p.first);
  lambda_ = flow_arrival_rate(cfg_.load, fabric_.config().host_gbps, senders.size(), cdf_.mean());
  if (lambda_ <= 0) return;
  arrivals_ = PoissonArrivals(lambda_, uint64_t(cfg_.seed) ^ 0x9e3779b97f4a7c15ull);
  const ps_t t0 = std::max(fabric_.ctx.now(), ps_t(cfg_.start_us * 1e6));
  end_ps_ = t0 + ps_t(cfg_.duration_us * 1e6);
  const ps_t first = t0 + arrivals_.next_gap_ps();
  if (first < end_ps_) fabric_.events.schedule(first, this, 0, nullptr, 0);
}

void FlowGenerator::arrival() {
  uint32_t s, d;
  if (pairs_.empty()) {
    s = uint32_t(rng_() % hosts_.size());
    d = uint32_t(rng_() % (hosts_.size() - 1));
    if (d >= s) ++d;  // uniform over the other hosts
  } else {
    const auto& p = pairs_[rng_() % pairs_.size()];
    s = p.first;
    d = p.second;
  }
  const uint64_t bytes = cdf_.sample(rng_);
  mine_.insert(transport_.start_flow(*fabric_.hosts[s], *fabric_.hosts[d], bytes, fabric_.ctx.now(), cfg_.tag));
  ++generated_;
}

void FlowGenerator::on_event(uint32_t, void*, uint64_t) {
  arrival();
  if (cfg_.max_flows && generated_ >= cfg_.max_flows) return;
  const ps_t next = fabric_.ctx.now() + arrivals_.next_gap_ps();
  if (next < end_ps_) fabric_.events.schedule(next, this, 0, nullptr, 0);
}

void FlowGenerator::on_flow_complete(const FlowRecord& rec) {
  if (!mine_.erase(rec.id)) return;
  FlowResult r;
  r.rec = rec;
  r.ideal_ps = ideal_fct_ps(path_between(fabric_, rec.src, rec.dst), rec.bytes, transport_.config().mss);
  r.slowdown = double(rec.fct_ps()) / double(r.ideal_ps);
  results_.push_back(r);
  slowdown_.add(r.slowdown);
  fct_us_.add(double(rec.fct_ps()) / 1e6);
  if (rec.bytes < 100000) {
    slowdown_short_.add(r.slowdown);
    fct_short_us_.add(double(rec.fct_ps()) / 1e6);
  }
}

nlohmann::json FlowGenerator::summary() const {
  auto stats = [](const SampleSet& s) {
    return nlohmann::json{{"count", s.count()}, {"mean", s.mean()}, {"p50", s.percentile(50)}, {"p99", s.percentile(99)}};
  };
  return nlohmann::json{{"lambda_per_s", lambda_},
                        {"generated", generated_},
                        {"completed", results_.size()},
                        {"running", mine_.size()},
                        {"fct_us", stats(fct_us_)},
                        {"slowdown", stats(slowdown_)},
                        {"short_fct_us", stats(fct_short_us_)},
                        {"short_slowdown", stats(slowdown_short_)}};
}

}  // namespace panama
