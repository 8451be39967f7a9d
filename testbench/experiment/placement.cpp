#include "experiment/placement.h"

#include "network/topology.h"

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>

namespace panama {

std::vector<uint32_t> host_racks(const Fabric& fabric) {
  std::vector<uint32_t> rack;
  for (const auto& h : fabric.hosts)
    rack.push_back(h->num_ports() ? h->port(0).link().peer_of(h.get()).id() : h->id());
  return rack;
}

std::vector<std::vector<uint32_t>> place_jobs(const std::string& policy, const std::vector<uint32_t>& rack_of_host,
                                              const std::vector<uint32_t>& workers, uint64_t seed,
                                              const std::vector<bool>& in_use) {
  const uint32_t n = uint32_t(rack_of_host.size());
  std::vector<bool> taken = in_use;
  taken.resize(n, false);
  uint64_t total = 0;
  for (uint32_t w : workers) total += w;
  for (uint32_t h = 0; h < n; ++h) total += taken[h];
  if (total > n) throw std::invalid_argument("place_jobs: more workers than free hosts");
  std::vector<std::vector<uint32_t>> out;
  // Racks in order of their first host; each rack's hosts in index order.
  std::map<uint32_t, size_t> rack_index;
  std::vector<std::vector<uint32_t>> racks;
  for (uint32_t h = 0; h < n; ++h) {
    auto [it, fresh] = rack_index.emplace(rack_of_host[h], racks.size());
    if (fresh) racks.emplace_back();
    racks[it->second].push_back(h);
  }
  std::mt19937_64 rng(seed ^ 0x706c6163656d656eull);  // ("placemen": placement's own stream of the seed)
  for (size_t i = 0; i < workers.size(); ++i) {
    const uint32_t w = workers[i];
    std::vector<uint32_t> hosts;
    auto take = [&](uint32_t h) {
      taken[h] = true;
      hosts.push_back(h);
    };
    if (policy == "spread") {
      const uint32_t stride = std::max(1u, n / w);
      for (uint32_t k = 0, h = uint32_t(i % n); hosts.size() < w && k < 2 * n; ++k, h = (h + stride) % n) {
        while (taken[h]) h = (h + 1) % n;
        take(h);
      }
    } else if (policy == "random") {
      std::vector<uint32_t> free;
      for (uint32_t h = 0; h < n; ++h)
        if (!taken[h]) free.push_back(h);
      // Partial Fisher-Yates: the first w of a uniform shuffle (explicit draws: std::shuffle's are not
      // specified, so its order could differ between standard libraries).
      for (uint32_t k = 0; k < w; ++k) {
        const uint64_t j = k + rng() % (free.size() - k);
        std::swap(free[k], free[j]);
        take(free[k]);
      }
      std::sort(hosts.begin(), hosts.end());
    } else if (policy == "packed") {
      auto free_in = [&](size_t r) {
        uint32_t c = 0;
        for (uint32_t h : racks[r]) c += !taken[h];
        return c;
      };
      // Best fit: the rack with the fewest free hosts that still holds the whole job (the first such).
      size_t best = racks.size();
      for (size_t r = 0; r < racks.size(); ++r) {
        const uint32_t f = free_in(r);
        if (f >= w && (best == racks.size() || f < free_in(best))) best = r;
      }
      std::vector<size_t> order;
      if (best < racks.size()) {
        order.push_back(best);
      } else {
        // Whole racks, the emptiest first (ties: rack order), so that the job spans as few as possible.
        for (size_t r = 0; r < racks.size(); ++r)
          if (free_in(r)) order.push_back(r);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return free_in(a) > free_in(b); });
      }
      for (size_t r : order)
        for (uint32_t h : racks[r])
          if (hosts.size() < w && !taken[h]) take(h);
    } else {
      throw std::invalid_argument("place_jobs: unknown policy '" + policy + "'");
    }
    out.push_back(std::move(hosts));
  }
  return out;
}

}  // namespace panama
