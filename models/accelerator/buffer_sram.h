// Buffer SRAM: the accelerator's on-chip packet memory. It holds one slot per (job, tree, iteration,
// sequence) in flight: the running partial sum as wire bytes plus the slot-table entry (children bitmap,
// contribution count, ECN and cwnd_cap seen so far). Memory is partitioned between active jobs:
// each job may hold at most total_slots / active_jobs slots ("packet_memory / num_jobs").
// Port timing: a slot read or write moves ceil(payload / row) beats, row = width x banks; with one port
// reads and writes share it, with two ports one read and one write proceed concurrently.
#pragma once

#include "accelerator/accelerator_config.h"
#include "common/clock.h"
#include "common/pipeline_stage.h"
#include "common/stats.h"
#include "protocol/packet.h"

#include <systemc>

#include <cstdint>
#include <vector>

namespace panama {

struct Slot {
  uint64_t key = 0;
  uint32_t ctx = 0;               // job context index
  uint64_t children_seen = 0;     // bitmap of ingress ports that contributed
  uint32_t contributions = 0;
  uint16_t count = 0;             // elements
  ElementType type = ElementType::fp32;
  uint8_t ecn = 0;                // CE if any contribution was CE, else the first one's codepoint
  uint16_t cwnd_cap = 0xffff;     // min of the contributions' cwnd_cap fields
  uint64_t ready_cycle = 0;       // partial sum committed to SRAM (read-after-write ordering)
  uint64_t completing_arrival = 0;  // arrival cycle of the contribution that completed the slot
  bool completing = false;        // complete; the aggregated packet is on its way out of the tree
  bool retransmitted = false;     // a contribution carried the retransmit flag
  bool in_use = false;
  PanamaHeader first_hdr;         // header of the first contribution (addressing of the output)
  Ipv4Addr group = 0;             // the tree's multicast address
};

class BufferSram : public sc_core::sc_module {
 public:
  BufferSram(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg);

  uint32_t total_slots() const { return uint32_t(slots_.size()); }
  uint32_t slot_bytes() const { return slot_bytes_; }
  uint32_t row_bytes() const { return row_bytes_; }
  uint64_t beats(uint32_t payload_bytes) const { return div_ceil(payload_bytes, row_bytes_); }

  // Job partitions.
  void set_active_jobs(uint32_t n) { active_jobs_ = n; }
  uint32_t active_jobs() const { return active_jobs_; }
  uint32_t share() const { return active_jobs_ ? total_slots() / active_jobs_ : total_slots(); }
  uint32_t used(uint32_t ctx) const { return ctx < used_.size() ? used_[ctx] : 0; }
  uint32_t peak_used(uint32_t ctx) const { return ctx < peak_used_.size() ? peak_used_[ctx] : 0; }
  uint32_t free_for(uint32_t ctx) const { return used(ctx) >= share() ? 0 : share() - used(ctx); }

  // Slot table (a CAM in hardware; open addressing here).
  int32_t find(uint64_t key) const;
  // Allocates a slot for `key` in context `ctx`; -1 when the job's share or the memory is exhausted.
  int32_t allocate(uint64_t key, uint32_t ctx, uint64_t now_cycle);
  void release(int32_t idx, uint64_t now_cycle);
  Slot& slot(int32_t idx) { return slots_[size_t(idx)]; }
  uint8_t* data(int32_t idx) { return storage_.data() + size_t(idx) * slot_bytes_; }

  // Port timing; return the start cycle of the access.
  uint64_t reserve_read(uint64_t ready, uint32_t payload_bytes);
  uint64_t reserve_write(uint64_t ready, uint32_t payload_bytes);
  uint32_t latency() const { return latency_; }

  uint32_t in_use() const { return uint32_t(occupancy_.level()); }
  const LevelStat& occupancy() const { return occupancy_; }

 private:
  uint32_t slot_bytes_, row_bytes_, latency_;
  std::vector<Slot> slots_;
  std::vector<uint8_t> storage_;
  std::vector<int32_t> free_list_;
  std::vector<int32_t> table_;  // open addressing, linear probing; -1 empty
  uint64_t table_mask_;
  std::vector<uint32_t> used_, peak_used_;
  uint32_t active_jobs_ = 0;
  PipelineStage port_[2];
  PipelineStage* read_port_;
  PipelineStage* write_port_;  // the read port itself when the SRAM has one port
  LevelStat occupancy_;

  size_t home(uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> 20) & table_mask_; }
};

}  // namespace panama
