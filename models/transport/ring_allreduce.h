// Ring all-reduce over DCTCP (Patarasuk & Yuan, JPDC 2009; the algorithm of NCCL and Horovod): the
// host-based baseline that PANAMA's in-network aggregation is compared against.
//
// Algorithm. N workers (host indices) form a ring, rank r sending to rank (r + 1) mod N. The gradient of G
// bytes is split into N chunks c_0..c_{N-1}: the first (G mod N) chunks carry floor(G / N) + 1 bytes, the
// rest floor(G / N), so the sizes sum to G exactly, differ by at most one byte and the last is never larger
// than the others (requires G >= N). 2(N - 1) steps follow:
//   reduce-scatter, step s = 0 .. N-2:   rank r sends chunk (r - s) mod N, receives (r - s - 1) mod N and
//                                        adds it to its own copy; after N - 1 steps rank r holds the fully
//                                        reduced chunk (r + 1) mod N;
//   all-gather, step s = N-1 .. 2N-3:    with a = s - (N - 1), rank r sends chunk (r + 1 - a) mod N and
//                                        receives (r - a) mod N, overwriting its copy.
// Every transfer is one DCTCP flow from the rank to its successor. A rank starts step s + 1 only when its
// own step-s send has completed AND it has received step s's chunk from its predecessor.
//
// Reception is modelled as the predecessor's flow completing, i.e. the sender-side completion (last byte
// cumulatively ACKed), because DctcpTransport reports completions at the sender. The receiver really has
// the data about half an RTT earlier (the last ACK's trip back), so every step that waits for reception
// is late by ~RTT/2 (a few us on the modelled fabrics, against a step time of G/N x 8 / rate).
//
// Pipelining (RingConfig::chunks_per_step = P > 1): every chunk is sent as P sub-chunks (balanced split as
// above; requires G >= N P), one flow at a time per rank, in order. Unit u = s P + j (sub-chunk j of step
// s) starts when the rank's send of unit u - 1 has completed and (for s > 0) sub-chunk j of step s - 1 has
// arrived from the predecessor (its unit u - P completed): the data dependency of the reduction. So a rank
// forwards the first sub-chunk of the next step while later sub-chunks of the current one are still on the
// way. With P = 1 this is exactly the step rule above. Each sub-chunk is a fresh flow that starts in slow
// start and is done only when its last byte is ACKed, so P > 1 pays (slow start + 1 RTT) per sub-chunk and
// gains only where ranks wait on reception (on an idle 100 Gbps leaf-spine, N = 8, 8 MB: P = 4 is 1.4x
// slower than P = 1).
//
// Cost model. Each rank sends 2(N - 1) chunks of ~G/N bytes: 2(N - 1)/N x G bytes (exactly
// 2G - c_{(r+1) mod N} - c_{(r+2) mod N} for rank r: reduce-scatter skips chunk r + 1, all-gather skips
// chunk r + 2; over all ranks 2(N - 1) G exactly). With link rate B and per-step latency alpha:
//   T = 2(N - 1) (alpha + G / (N B)),   lower bound T >= 2(N - 1)/N x G x 8 / B
// (header overhead, slow start of every new flow and the RTT per step come on top of the bound; a
// bandwidth-optimal ring reaches it for large G, independent of N).
//
// Usage: construct, start(at); done() / finish_ps() after the run, or set_on_done() to be told. start()
// may be called again once done() for the next iteration; per-iteration records are reset, the iteration
// count and cumulative bytes keep counting. Flows carry `tag`; completions of other flows are ignored.
#pragma once

#include "common/clock.h"
#include "common/event_queue.h"
#include "transport/dctcp.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace panama {

class ConfigRegistry;
class Fabric;

struct RingConfig {
  uint32_t chunks_per_step = 1;  // sub-chunks per chunk, each its own flow (1: no pipelining)

  void register_params(ConfigRegistry& reg, const std::string& prefix = "ring");
};

// One rank's view of one step.
struct RingStepRecord {
  ps_t start_ps = 0;      // first sub-chunk flow started
  ps_t send_done_ps = 0;  // own last sub-chunk ACKed
  ps_t recv_done_ps = 0;  // predecessor's last sub-chunk of this step ACKed (sender-side completion)
  ps_t end_ps = 0;        // max(send_done, recv_done): the step's data is in place
  uint64_t bytes = 0;     // payload sent by this rank in this step
  uint32_t chunk = 0;     // chunk index sent
};

class RingAllReduce : public FlowObserver, public EventHandler {
 public:
  static constexpr uint64_t kDefaultTag = 0x52494e4700000000ull;  // "RING"

  // `workers` are host indices in ring order (rank = position); at least 2, all distinct.
  RingAllReduce(Fabric& fabric, DctcpTransport& tcp, std::vector<uint32_t> workers, uint64_t gradient_bytes,
                const RingConfig& cfg = {}, uint64_t tag = kDefaultTag);

  // Starts an all-reduce at `at` (now if in the past). Throws std::logic_error while one is running.
  void start(ps_t at);
  bool running() const { return running_; }
  bool done() const { return iterations_ > 0 && !running_; }
  ps_t start_ps() const { return start_ps_; }
  ps_t finish_ps() const { return finish_ps_; }
  ps_t duration_ps() const { return finish_ps_ - start_ps_; }
  uint32_t iterations() const { return iterations_; }  // all-reduces started

  // `h->on_event(kind, this, iteration)` is scheduled on the fabric's event queue (at the finish time, not
  // from inside the TCP stack) when an all-reduce completes; the handler may call start() again.
  void set_on_done(EventHandler* h, uint32_t kind) {
    on_done_ = h;
    on_done_kind_ = kind;
  }

  uint32_t num_workers() const { return uint32_t(workers_.size()); }
  uint32_t num_steps() const { return 2 * (num_workers() - 1); }
  uint64_t gradient_bytes() const { return gradient_bytes_; }
  uint64_t chunk_bytes(uint32_t chunk) const { return split(gradient_bytes_, num_workers(), chunk); }
  // Payload bytes rank `rank` sent in the current (or last) all-reduce, and over all of them.
  uint64_t bytes_sent(uint32_t rank) const { return sent_bytes_.at(rank); }
  uint64_t total_bytes_sent(uint32_t rank) const { return total_sent_bytes_.at(rank); }
  // Bytes every rank sends per all-reduce by the cost model: 2G - c_{r+1} - c_{r+2}.
  uint64_t expected_bytes(uint32_t rank) const;
  uint64_t flows_sent(uint32_t rank) const { return sent_flows_.at(rank); }
  const std::vector<RingStepRecord>& steps(uint32_t rank) const { return steps_.at(rank); }
  // Chunk rank `rank` sends in step `step` (see the algorithm above).
  uint32_t chunk_of(uint32_t rank, uint32_t step) const;
  const RingConfig& config() const { return cfg_; }
  nlohmann::json to_json() const;

  void on_flow_complete(const FlowRecord& rec) override;
  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;

  // Size of part `i` of `total` split into `parts` (first total mod parts parts one byte larger).
  static uint64_t split(uint64_t total, uint64_t parts, uint64_t i) {
    return total / parts + (i < total % parts ? 1 : 0);
  }

 private:
  enum Kind : uint32_t { ev_done = 0 };
  void try_send(uint32_t rank, ps_t at);
  void check_done(ps_t now);

  Fabric& fabric_;
  DctcpTransport& tcp_;
  std::vector<uint32_t> workers_;
  std::vector<int32_t> rank_of_host_;  // host index -> rank, -1: not a worker
  uint64_t gradient_bytes_;
  RingConfig cfg_;
  uint64_t tag_;
  uint32_t units_;                     // 2(N - 1) P flows per rank per all-reduce

  // Per rank, current all-reduce.
  std::vector<uint32_t> next_unit_;    // next unit to send
  std::vector<uint32_t> sent_done_;    // own units ACKed
  std::vector<uint32_t> received_;     // predecessor's units ACKed
  std::vector<uint64_t> in_flight_;    // flow id of the unit in flight (valid while next_unit_ > sent_done_)
  std::vector<double> window_;         // the connection's window after its last unit, bytes (0: none yet)
  std::vector<uint64_t> sent_bytes_, total_sent_bytes_, sent_flows_;
  std::vector<std::vector<RingStepRecord>> steps_;
  uint32_t ranks_done_ = 0;

  bool running_ = false;
  uint32_t iterations_ = 0;
  ps_t start_ps_ = 0, finish_ps_ = 0;
  EventHandler* on_done_ = nullptr;
  uint32_t on_done_kind_ = 0;
};

}  // namespace panama
