// PanamaWorker: the PANAMA worker library on one host for one job (paper section 4, docs/protocol.md).
//
// Per all-reduce the worker splits its gradient of G bytes (FP32) into P = ceil(G / (4 E)) packets of
// E elements (E = the MTU's element count unless configured; the last packet carries the rest). Packet p
// (seq = p) goes to tree p mod T, so with T = 4 trees p0,p4,.. -> tree 0, p1,p5,.. -> tree 1, ...: a fixed
// order every worker follows without coordination. Each tree sends its own packets in seq order.
//
// Congestion control, per tree, in packets: DCTCP's window law, the same code as the TCP sender's
// (transport/dctcp_window.h), with results as implicit ACKs:
//   - a result for slot p is the implicit ACK of this worker's packet p: it frees one window place and
//     advances the tree's cumulative point una (its lowest unanswered ordinal) as an ACK advances
//     snd_una;
//   - alpha <- (1 - g) alpha + g F once per window of packets (F = fraction of results whose IP ECN was
//     CE); a CE result cuts cwnd <- cwnd (1 - alpha / 2) at most once per window and ends slow start;
//     every result grows cwnd by 1 in slow start and by 1 / cwnd after it (+1 packet per window);
//   - cwnd never exceeds cwnd_cap, the smallest per-tree accelerator memory on the tree, carried by every
//     result (before the first result: plan.trees[t].per_tree_slots). use_cwnd_cap = false is the
//     "PANAMA without cwnd_cap" baseline: the window is bounded by max_window only;
//   - a packet unanswered for the retransmission timeout is re-sent with kFlagRetransmit (the
//     accelerators answer it from their result cache if the slot already completed); the timeout backs
//     off exponentially per tree and resets when a result for a packet never re-sent arrives; a timeout
//     also halves the window (a loss here is corruption, since PFC keeps the class lossless);
//   - results that arrive again (duplicates from cache answers) are ignored and counted.
//
// Element values (exact by construction): element e of packet p in iteration i of worker rank w is
// (((37 w + 11 p + 3 e + 5 i) mod 256) - 128) / 256. Every value is a multiple of 2^-8 below 1/2 in
// magnitude, so any sum of up to 2^16 of them is exact in FP32 whatever the association order; the
// expected result of element e is sum over ranks r of the same expression, which depends only on
// (11 p + 3 e + 5 i) mod 256: 256 expected values per job, computed once. Every result is compared
// bit-exactly with it (mismatches are counted, not fatal).
//
// Frames go to the host NIC by reference (Host::send). The worker sits in front of the host's previous
// receiver (e.g. the DctcpStack of a DctcpTransport, or another job's worker) and passes on every frame
// that is not a result of its job, so create the DctcpTransport before the workers.
#pragma once

#include "common/clock.h"
#include "common/event_queue.h"
#include "common/ring_queue.h"
#include "control/controller.h"
#include "network/host.h"
#include "transport/dctcp_window.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace panama {

class ConfigRegistry;

struct PanamaWorkerConfig {
  uint32_t init_cwnd = 16;          // initial window per tree, packets (then capped by cwnd_cap)
  double g = 1.0 / 16;              // alpha gain (DCTCP paper)
  double alpha_init = 1.0;          // alpha before the first estimate (as DctcpConfig: the first cut halves)
  // Retransmission timeout. Relaxed (the paper: need not be aggressive): 1 ms is far above the RTT of the
  // modelled fabrics (a few us plus queueing at K), so it fires only on real losses.
  double timeout_us = 1000.0;
  double max_timeout_us = 1e4;      // backoff cap (10 ms)
  bool use_cwnd_cap = true;         // false: the "PANAMA without cwnd_cap" baseline
  uint32_t max_window = 4096;       // window bound per tree, packets (the only bound without cwnd_cap)
  uint32_t elements_per_packet = 0; // 0 = the most that fit the 1500-byte MTU (362 FP32)
  bool verify = true;               // compare every result with the exact expected sum

  void register_params(ConfigRegistry& reg, const std::string& prefix = "panama");
  void validate(const std::string& prefix = "panama") const;
};

struct PanamaTreeStats {
  uint64_t packets = 0;             // distinct packets of one all-reduce assigned to the tree (all iterations)
  uint64_t sent = 0, retransmits = 0, timeouts = 0;
  uint64_t results = 0, results_ce = 0, duplicates = 0;
  uint64_t cwnd_cuts = 0;
  double cwnd = 0, alpha = 0;       // current
  double cwnd_max = 0;              // largest window reached
  uint32_t max_outstanding = 0;     // largest number of packets in flight
  uint16_t min_cwnd_cap = 0xffff;   // smallest cwnd_cap carried by a result
};

struct PanamaWorkerStats {
  uint64_t sent = 0, retransmits = 0, timeouts = 0;
  uint64_t results = 0, results_ce = 0, duplicates = 0, stale = 0;  // stale: results of another iteration
  uint64_t mismatches = 0;          // results whose elements differ from the exact sum
  uint64_t verified = 0;            // results compared
  uint64_t result_bytes = 0;        // element bytes of accepted results
  uint32_t iterations_done = 0;
  ps_t start_ps = 0, finish_ps = 0; // current (last) all-reduce
  nlohmann::json to_json() const;
};

class PanamaWorker : public EventHandler, public HostReceiver {
 public:
  // `rank` = position of this host in plan.workers. The plan must be aggregated (at least one tree).
  PanamaWorker(Host& host, const JobPlan& plan, uint32_t rank, uint64_t gradient_bytes,
               const PanamaWorkerConfig& cfg = {});
  ~PanamaWorker() override;

  // Starts the all-reduce of `iteration` at `at` (now if in the past) over the first `bytes` of the
  // gradient (0: all of it; a gradient bucket, see MlJob). `iteration` tags the packets: consecutive
  // all-reduces must differ in it. Throws std::logic_error while one runs, or for more bytes than the
  // gradient has.
  void start(uint32_t iteration, ps_t at, uint64_t bytes = 0);
  bool running() const { return running_; }
  // `h->on_event(kind, this, rank)` is scheduled on the fabric's event queue when an all-reduce completes.
  void set_on_done(EventHandler* h, uint32_t kind) {
    on_done_ = h;
    on_done_kind_ = kind;
  }

  uint32_t rank() const { return rank_; }
  uint16_t job() const { return plan_.job; }
  uint32_t num_trees() const { return uint32_t(trees_.size()); }
  uint32_t num_packets() const { return packets_; }
  uint32_t elements_per_packet() const { return epp_; }
  uint64_t gradient_bytes() const { return gradient_bytes_; }
  ps_t duration_ps() const { return stats_.finish_ps - stats_.start_ps; }
  const PanamaWorkerStats& stats() const { return stats_; }
  PanamaTreeStats tree_stats(uint32_t t) const;
  // Packets of the current all-reduce still without a result (diagnostics), at most `max` of them.
  std::vector<uint32_t> unanswered(size_t max = 16) const;
  nlohmann::json to_json() const;

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;
  void on_packet(Host& host, tlm::tlm_generic_payload& gp, const DecodedPacket& d) override;

  // Element value of (rank, packet, element, iteration) and its exact sum over `ranks` ranks.
  static float element_value(uint32_t rank, uint32_t seq, uint32_t element, uint32_t iteration);
  // The job has ended: give back the per-packet state (a large gradient's is megabytes per worker) so
  // that a long dynamic workload's memory follows the running jobs, not every job that ever ran. Only
  // the statistics stay; start() is refused afterwards, late results count as stale.
  void release_buffers();
  bool released() const { return released_; }

  static uint32_t pattern_phase(uint32_t seq, uint32_t element, uint32_t iteration) {
    return (11u * seq + 3u * element + 5u * iteration) & 255u;
  }

 private:
  enum Kind : uint32_t { ev_start = 0, ev_timer = 1, ev_done = 2 };
  struct Tree {
    uint8_t id = 0;
    Ipv4Addr group = 0;
    uint32_t next = 0;              // next never-sent ordinal k (packet = k T + t)
    uint32_t count = 0;             // packets of this tree per all-reduce
    uint32_t outstanding = 0;
    // Lowest ordinal not yet answered. The window bounds the span next - una, as TCP bounds
    // snd_nxt - snd_una: a lost result stops the tree at most a window later, so the accelerators'
    // result caches (at least a window deep) still hold it when the retransmission comes.
    uint32_t una = 0;
    DctcpWindow win;                // cwnd (packets), ssthresh, alpha, observation and cut windows
    uint16_t cap = 0xffff;
    bool cut_ever = false;
    double rto_ps = 0;
    bool timer_pending = false;
    ps_t timer_at = 0;
    RingQueue<std::pair<uint32_t, ps_t>> inflight;  // (packet, send time) in send order; stale entries skipped
    PanamaTreeStats st;
  };

  uint32_t window_of(const Tree& t) const;
  void pump(Tree& t);
  void send_packet(uint32_t packet, bool retransmit);
  void arm_timer(Tree& t, ps_t at);
  void on_timer(Tree& t);
  void on_result(tlm::tlm_generic_payload& gp, const DecodedPacket& d);
  void build_expected();

  Host& host_;
  JobPlan plan_;
  uint32_t rank_;
  uint64_t gradient_bytes_;
  PanamaWorkerConfig cfg_;
  DctcpLaw law_;  // gain g, one packet per segment, a floor of one packet
  HostReceiver* next_ = nullptr;     // the host's previous receiver
  uint32_t epp_ = 0, packets_ = 0, elements_ = 0;
  std::vector<Tree> trees_;
  std::vector<uint8_t> acked_;       // per packet: result received (current all-reduce)
  std::vector<uint8_t> resent_;      // per packet: re-sent at least once
  std::vector<ps_t> sent_at_;        // per packet: last send time
  bool released_ = false;            // release_buffers() ran
  uint32_t acked_count_ = 0;
  uint32_t iteration_ = 0;
  uint64_t next_bytes_ = 0;  // the bytes of the all-reduce start() scheduled
  bool running_ = false;
  // Wire bytes of this rank's value (and of the exact sum) in pattern order: element i of the stream has
  // phase 3i mod 256, and 256 + epp_ elements are kept, so a packet starting at phase c is the run that
  // starts at element c * 171 mod 256 (171 = 3^-1 mod 256): one memcpy to fill, one memcmp to verify.
  std::vector<uint8_t> value_stream_be_, expect_stream_be_;
  size_t stream_offset(uint32_t phase) const { return size_t((phase * 171u) & 255u) * 4; }
  ps_t timeout_ps_ = 0, max_timeout_ps_ = 0;
  uint16_t ip_id_ = 0;
  EventHandler* on_done_ = nullptr;
  uint32_t on_done_kind_ = 0;
  PanamaWorkerStats stats_;
};

}  // namespace panama
