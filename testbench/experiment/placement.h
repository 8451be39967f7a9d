// Placement of data-parallel jobs on the hosts of a fabric (scenario.placement), one worker a host.
//   packed: each job on as few racks as possible: the fullest rack that holds the whole job (best fit),
//           else whole racks, the emptiest first, so that a ToR aggregates several workers of a job;
//   spread: every (hosts / workers)-th host from the job's index, so that a job spans the fabric;
//   random: uniformly random free hosts, drawn from scenario.seed.
// A rack is the hosts cabled to one switch (a host cabled to another host is a rack of its own).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace panama {

class Fabric;

// The rack of every host: the index of the node its one link leads to (hosts of a rack share it).
std::vector<uint32_t> host_racks(const Fabric& fabric);

// Hosts for each job in order (`workers[i]` of them for job i), never one host twice; jobs placed
// earlier keep theirs. The total must not exceed the free hosts (the scenario checks that first).
// `taken` (optional, one flag a host): hosts already in use, left out.
std::vector<std::vector<uint32_t>> place_jobs(const std::string& policy, const std::vector<uint32_t>& rack_of_host,
                                              const std::vector<uint32_t>& workers, uint64_t seed,
                                              const std::vector<bool>& taken = {});

}  // namespace panama
