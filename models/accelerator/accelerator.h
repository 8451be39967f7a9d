// The PANAMA aggregation accelerator: ingress parser -> buffer SRAM + FP adder tree -> egress mux,
// with TLM-2.0 sockets towards its switch ports. A bump in the wire: frames from port p arrive on
// rx[p]; pass-through frames leave unchanged on tx[p] after the parser; contributions of a slot are
// summed from all children of the tree at this node, and the aggregated packet leaves on the tree's
// up lane (towards the parent) or, at the root, as a result on every down lane (multicast back down).
//
// Link protocol on both sockets (TLM-2.0 base protocol, one-way frames): the sender calls
// nb_transport_fw(BEGIN_REQ) when the frame's last bit has arrived. TLM_COMPLETED = taken; TLM_ACCEPTED
// = held back (backpressure), and the receiver later calls nb_transport_bw(BEGIN_RESP) when it takes the
// frame; the sender sends nothing more on that port until then. The receiver acquires the payload.
#pragma once

#include "accelerator/accelerator_config.h"
#include "accelerator/adder_tree.h"
#include "accelerator/buffer_sram.h"
#include "accelerator/egress_mux.h"
#include "accelerator/ingress_parser.h"
#include "common/clock.h"
#include "common/event_queue.h"
#include "common/packet_pool.h"
#include "common/stats.h"
#include "protocol/drop_reason.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <deque>
#include <unordered_map>
#include <vector>

namespace panama {

// Per-tree state the controller installs at this accelerator.
struct TreeSpec {
  uint8_t tree = 0;
  uint64_t children_mask = 0;  // ingress ports whose contributions this node sums
  bool is_root = false;
  uint32_t up_lane = 0;        // egress lane towards the parent (non-root)
  uint64_t down_mask = 0;      // egress lanes a root multicasts the result on
  Ipv4Addr group = 0;          // the tree's multicast address
};

struct JobSpec {
  uint16_t job = 0;
  ElementType type = ElementType::fp32;
  std::vector<TreeSpec> trees;
};

struct AcceleratorStats {
  uint64_t rx_frames = 0, rx_bytes = 0;
  uint64_t passthrough_frames = 0;
  uint64_t contributions = 0, contribution_bytes = 0;  // contributions absorbed into slots
  uint64_t results_emitted = 0, partials_emitted = 0;  // completed slots (root / non-root)
  uint64_t tx_frames = 0, tx_bytes = 0;
  DropCounters drops;
  uint64_t slot_stalls = 0;         // contributions parked for want of a free slot
  uint64_t slot_stall_cycles = 0;   // total cycles contributions spent parked
  uint64_t backpressure_events = 0; // frames held at a port (TLM_ACCEPTED)
  uint64_t backpressure_cycles = 0; // total cycles ports were held back
  uint64_t retransmits_answered = 0; // retransmitted contributions answered from the result cache
  ps_t first_rx_ps = 0, last_absorb_ps = 0;
  SampleSet latency_cycles;         // per-packet datapath latency (docs/architecture.md)
};

// The accelerator's own per-packet state, kept in the packet's PacketMeta::block_state while the
// accelerator holds it (common/ does not know these fields): when the frame arrived, since when it has
// been parked waiting for a free slot, and the origin of the latency sample taken at its departure.
struct AccelPacketState {
  ps_t arrival_ps = 0;
  ps_t parked_ps = 0;          // nonzero: parked since then
  ps_t latency_origin_ps = 0;
  bool latency_pending = false;  // record (departure - latency_origin_ps) as a sample at the next egress
};
static_assert(sizeof(AccelPacketState) <= sizeof(PacketMeta::block_state), "AccelPacketState outgrew block_state");
static_assert(std::is_trivially_copyable_v<AccelPacketState>, "AccelPacketState is copied as bytes");

inline AccelPacketState accel_state(const PacketMeta& m) {
  AccelPacketState s;
  std::memcpy(&s, m.block_state, sizeof s);
  return s;
}
inline void set_accel_state(PacketMeta& m, const AccelPacketState& s) { std::memcpy(m.block_state, &s, sizeof s); }

class Accelerator : public sc_core::sc_module, public EventHandler, public EgressSink {
 public:
  tlm_utils::multi_passthrough_target_socket<Accelerator> rx;     // from the ports
  tlm_utils::multi_passthrough_initiator_socket<Accelerator> tx;  // towards the switch / ports

  Accelerator(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg,
              PacketPool& pool = PacketPool::instance());

  // Controller interface. install_job fails (false) when all max_jobs contexts are taken.
  bool install_job(const JobSpec& spec);
  // Removes a job's state; its slots still in use are released and counted in the return value.
  uint32_t remove_job(uint16_t job);
  uint32_t active_jobs() const { return sram.active_jobs(); }
  uint32_t free_slots_for(uint16_t job) const;
  uint32_t peak_slots_of(uint16_t job) const;
  // The memory this accelerator gives each tree of `job`: its share (packet_memory / num_jobs) split
  // evenly over the job's trees here. This is what results advertise in cwnd_cap.
  uint32_t tree_slots(uint16_t job) const;

  using sc_core::sc_object::trace;  // (sc_object's own overload stays visible beside the windowed one)
  // VCD: trace stage activity, SRAM occupancy and slot-table state changes within [from, to).
  void trace(sc_core::sc_trace_file* tf, ps_t from_ps, ps_t to_ps);

  const AcceleratorConfig& config() const { return cfg_; }
  const Clock& clock() const { return clk_; }
  const AcceleratorStats& stats() const { return stats_; }
  uint64_t sram_peak_bytes() const { return uint64_t(sram.occupancy().peak()) * sram.slot_bytes(); }
  // The most aggregated frames the mux held at once, and the bound the design guarantees for it: no
  // pass issues once egress_fifo_packets wait, and the passes already in the adder tree then (at most
  // one per cycle of its latency, plus the SRAM read ahead of it) add at most one frame per lane each
  // (a root's result copies).
  uint64_t egress_peak_frames() const { return egress.peak_queued(EgressMux::aggregation); }
  uint64_t egress_frame_bound() const {
    return cfg_.egress_fifo_packets +
           uint64_t(cfg_.adder_tree_latency_cycles() + cfg_.sram_latency_cycles + 1) * cfg_.ports;
  }

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;
  void on_departure(uint32_t lane, tlm::tlm_generic_payload& gp) override;
  bool transmit(uint32_t lane, tlm::tlm_generic_payload& gp) override;

 private:
  const AcceleratorConfig cfg_;
  const Clock clk_;
  PacketPool& pool_;

 public:
  // The hardware blocks, in packet order.
  EventQueue events;
  IngressParser parser;
  BufferSram sram;
  AdderTree adders;
  EgressMux egress;

 private:
  struct JobState {
    JobSpec spec;
    uint32_t ctx = 0;
    std::deque<tlm::tlm_generic_payload*> parked;
    // Result cache: the job's last emitted aggregated packets (key -> frame), so a retransmission for a
    // slot that already completed here (its result or partial sum was lost further on) is answered
    // again instead of opening a slot the other children will never fill. A worker cannot run more
    // than its window past a slot it still waits for on that slot's tree, but the job's other trees
    // run on meanwhile, so the cache is kept per tree: a ring as large as the job's memory share per
    // tree still holds that slot's result when the (relaxed) timeout fires.
    struct CachedResult {
      uint64_t key = 0;
      std::vector<uint8_t> frame;
    };
    struct TreeCache {
      std::vector<CachedResult> ring;
      size_t next = 0;
    };
    std::unordered_map<uint8_t, TreeCache> cache;      // by tree id
    std::unordered_map<uint64_t, size_t> cache_index;  // key -> position in its tree's ring
    const TreeSpec* tree(uint8_t id) const {
      for (auto& t : spec.trees)
        if (t.tree == id) return &t;
      return nullptr;
    }
  };
  enum Kind : uint32_t { parser_out = 0, engine_wake = 1, pass_done = 2, trace_add = 3, trace_snapshot = 4 };
  enum TraceVar : uint32_t {
    tv_parser_busy, tv_sram_read_busy, tv_sram_write_busy, tv_adder_busy, tv_egress_busy, tv_slots_used,
    tv_agg_queue, tv_parked, tv_ingress_fifo, tv_last_seq_issued, tv_last_seq_completed, tv_count
  };

  tlm::tlm_sync_enum nb_transport_fw(int port, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  tlm::tlm_sync_enum nb_transport_bw(int lane, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
  void admit(uint32_t port, tlm::tlm_generic_payload& gp);
  void on_parser_out(tlm::tlm_generic_payload& gp);
  void fifo_release(uint32_t port);
  void engine_kick();
  bool issue_pass();
  void complete_slot(int32_t idx);
  void drop(tlm::tlm_generic_payload& gp, DropReason r, bool holds_fifo);
  void unpark_all();
  void try_release_held(uint32_t port);
  void wake_engine_after_egress();
  uint64_t now_cycle() const { return clk_.edge_at_or_after(to_ps(sc_core::sc_time_stamp())); }
  // Tracing (no-ops unless trace() was called).
  void trace_interval(TraceVar v, uint64_t start_cycle, uint64_t end_cycle);
  void trace_value(TraceVar v, int64_t value);

  void cache_result(JobState& job, uint64_t key, const tlm::tlm_generic_payload& out);
  bool answer_from_cache(JobState& job, uint64_t key, const TreeSpec& tree, uint32_t ingress_port);

  std::unordered_map<uint16_t, JobState> jobs_;
  std::vector<bool> ctx_used_;
  std::deque<tlm::tlm_generic_payload*> agg_queue_;
  std::vector<uint32_t> fifo_;
  uint32_t fifo_total_ = 0, parked_total_ = 0;
  std::vector<uint32_t> blocked_;
  std::vector<tlm::tlm_generic_payload*> held_in_;
  std::vector<ps_t> held_since_;
  std::vector<tlm::tlm_generic_payload*> held_out_;
  bool engine_wake_pending_ = false;
  bool engine_wait_egress_ = false;  // a pass waits for the mux's aggregation side to drain
  std::vector<uint8_t> scratch_;
  AcceleratorStats stats_;

  bool tracing_ = false;
  ps_t trace_from_ = 0, trace_to_ = 0;
  int64_t tv_[tv_count] = {};
};

}  // namespace panama
