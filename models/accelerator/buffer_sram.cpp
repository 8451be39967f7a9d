#include "accelerator/buffer_sram.h"

namespace panama {

BufferSram::BufferSram(const sc_core::sc_module_name& name, const AcceleratorConfig& cfg)
    : sc_module(name),
      slot_bytes_(cfg.slot_bytes()),
      row_bytes_(cfg.sram_width_bits / 8 * cfg.sram_banks),
      latency_(cfg.sram_latency_cycles) {
  const uint32_t n = cfg.total_slots();
  slots_.resize(n);
  storage_.assign(size_t(n) * slot_bytes_, 0);
  free_list_.reserve(n);
  for (int32_t i = int32_t(n) - 1; i >= 0; --i) free_list_.push_back(i);
  size_t cap = 1;
  while (cap < 2 * size_t(n)) cap <<= 1;
  table_.assign(cap, -1);
  table_mask_ = cap - 1;
  used_.assign(cfg.max_jobs, 0);
  peak_used_.assign(cfg.max_jobs, 0);
  read_port_ = &port_[0];
  write_port_ = cfg.sram_ports == 2 ? &port_[1] : &port_[0];
}

int32_t BufferSram::find(uint64_t key) const {
  for (size_t i = home(key);; i = (i + 1) & table_mask_) {
    int32_t idx = table_[i];
    if (idx < 0) return -1;
    if (slots_[size_t(idx)].key == key) return idx;
  }
}

int32_t BufferSram::allocate(uint64_t key, uint32_t ctx, uint64_t now_cycle) {
  if (free_list_.empty() || used_[ctx] >= share()) return -1;
  int32_t idx = free_list_.back();
  free_list_.pop_back();
  Slot& s = slots_[size_t(idx)];
  s = Slot{};
  s.key = key;
  s.ctx = ctx;
  s.in_use = true;
  size_t i = home(key);
  while (table_[i] >= 0) i = (i + 1) & table_mask_;
  table_[i] = idx;
  if (++used_[ctx] > peak_used_[ctx]) peak_used_[ctx] = used_[ctx];
  occupancy_.add(now_cycle, +1);
  return idx;
}

void BufferSram::release(int32_t idx, uint64_t now_cycle) {
  Slot& s = slots_[size_t(idx)];
  // Remove from the table with backward-shift deletion (keeps linear probing correct without tombstones).
  size_t i = home(s.key);
  while (table_[i] != idx) i = (i + 1) & table_mask_;
  for (size_t j = (i + 1) & table_mask_;; j = (j + 1) & table_mask_) {
    int32_t cand = table_[j];
    if (cand < 0) break;
    size_t h = home(slots_[size_t(cand)].key);
    // Move cand into the hole at i if its home does not lie cyclically in (i, j].
    bool in_between = (i <= j) ? (h > i && h <= j) : (h > i || h <= j);
    if (!in_between) {
      table_[i] = cand;
      i = j;
    }
  }
  table_[i] = -1;
  --used_[s.ctx];
  s.in_use = false;
  free_list_.push_back(idx);
  occupancy_.add(now_cycle, -1);
}

uint64_t BufferSram::reserve_read(uint64_t ready, uint32_t payload_bytes) {
  return read_port_->reserve(ready, beats(payload_bytes));
}

uint64_t BufferSram::reserve_write(uint64_t ready, uint32_t payload_bytes) {
  return write_port_->reserve(ready, beats(payload_bytes));
}

}  // namespace panama
