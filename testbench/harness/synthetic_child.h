// A synthetic child of the aggregation tree: one port of the accelerator under test. It sends one
// contribution per (job, slot) at a given share of its line rate, honours backpressure, and receives the
// multicast results, checking each against the exact sum of every child's contribution.
#pragma once

#include "common/clock.h"
#include "common/event_queue.h"
#include "common/packet_pool.h"
#include "common/stats.h"
#include "protocol/packet.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <vector>

namespace panama {

// Deterministic element patterns shared by all children: pattern p of child c for (job j, slot s) is
// (s + 7c + 3j) mod kPatterns. Values are multiples of 2^-8 small enough that any sum of up to 64 of them
// is exact in the element type, so the expected result is independent of the association order.
class ContributionPatterns {
 public:
  static constexpr uint32_t kPatterns = 16;
  ContributionPatterns(uint64_t seed, ElementType type, uint32_t elements);
  const uint8_t* pattern(uint32_t child, uint16_t job, uint32_t seq) const {
    return bytes_.data() + size_t(index(child, job, seq)) * stride_;
  }
  static uint32_t index(uint32_t child, uint16_t job, uint32_t seq) { return (seq + 7 * child + 3 * job) % kPatterns; }
  // Exact expected sum (wire bytes) of children 0..n-1 for (job, seq). Only kPatterns distinct sums
  // exist per (children, job), so they are computed once and cached.
  const uint8_t* expected(uint32_t children, uint16_t job, uint32_t seq) const;
  ElementType type() const { return type_; }
  uint32_t elements() const { return elements_; }

 private:
  ElementType type_;
  uint32_t elements_;
  size_t stride_;
  std::vector<uint8_t> bytes_;
  std::vector<double> values_;
  mutable std::map<uint64_t, std::vector<uint8_t>> expected_;
};

struct ChildSpec {
  uint32_t index = 0;           // child number = accelerator port
  uint32_t children = 1;        // children in the tree (for the expected sum)
  double port_gbps = 100.0;
  double load = 1.0;            // share of line rate offered
  uint32_t slots = 1000;        // slots per job
  std::vector<uint16_t> jobs{0};
  uint32_t trees = 1;           // slot s goes to tree s mod trees
  bool verify = true;
  uint16_t cwnd_cap = 0xffff;   // cwnd_cap field of the contributions
  uint8_t ecn = kEcnEct0;       // ECN codepoint of the contributions
};

class SyntheticChild : public sc_core::sc_module, public EventHandler {
 public:
  tlm_utils::simple_initiator_socket<SyntheticChild> out;  // contributions towards the accelerator
  tlm_utils::simple_target_socket<SyntheticChild> in;      // results from the accelerator

  SyntheticChild(const sc_core::sc_module_name& name, const ChildSpec& spec, const ContributionPatterns& patterns,
                 PacketPool& pool = PacketPool::instance());

  uint64_t sent() const { return sent_; }
  uint64_t results() const { return results_; }
  uint64_t mismatches() const { return mismatches_; }
  uint64_t results_ce() const { return results_ce_; }
  uint16_t min_result_cwnd_cap() const { return min_cap_; }
  ps_t last_result_ps() const { return last_result_ps_; }
  bool done() const { return sent_ == total_ && results_ == total_; }
  uint64_t total() const { return total_; }

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;

 private:
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  tlm::tlm_sync_enum fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  void send_next();

  ChildSpec spec_;
  const ContributionPatterns& pat_;
  PacketPool& pool_;
  EventQueue events_;
  uint64_t total_ = 0, sent_ = 0, results_ = 0, mismatches_ = 0, results_ce_ = 0;
  uint16_t min_cap_ = 0xffff;
  ps_t gap_ps_ = 0, ser_ps_ = 0, last_arrival_ps_ = 0, last_result_ps_ = 0;
  bool waiting_ = false;
  size_t frame_bytes_ = 0;
};

}  // namespace panama
