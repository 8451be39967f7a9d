// A time-ordered event list served by one SC_METHOD: the htsim-style event loop inside SystemC.
// A model schedules (time, handler, kind, payload, argument) records instead of spawning a thread or an
// sc_event per packet; the method wakes once per distinct timestamp and runs every due record in
// (time, insertion) order, so the same input always gives the same order of execution.
#pragma once

#include "common/clock.h"

#include <systemc>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace panama {

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void on_event(uint32_t kind, void* ptr, uint64_t arg) = 0;
};

class EventQueue : public sc_core::sc_module {
 public:
  explicit EventQueue(const sc_core::sc_module_name& name) : sc_module(name) {
    SC_HAS_PROCESS(EventQueue);
    SC_METHOD(run);
    sensitive << wake_;
    dont_initialize();
    heap_.reserve(1024);
  }

  // The current time of this event list: the time of the record being run (which runs ahead of the
  // kernel's time in decoupled mode), else the kernel's.
  ps_t now() const { return running_ ? current_ : to_ps(sc_core::sc_time_stamp()); }

  // Temporal decoupling (TLM-2.0 loosely-timed style): when on, one activation runs every record due
  // before the kernel's next pending activity (and before `horizon`, the end of the sc_start() window),
  // instead of waking once per timestamp. Only for models that read time through now(), never
  // sc_time_stamp(), and that share no SystemC process with others in between (the fabric without
  // PSwitches: the accelerators keep kernel time).
  void set_decoupled(bool on, ps_t horizon = ~ps_t(0)) {
    decoupled_ = on;
    horizon_ = horizon;
  }

  // Schedule at absolute time `at_ps` (not before now).
  void schedule(ps_t at_ps, EventHandler* h, uint32_t kind, void* ptr = nullptr, uint64_t arg = 0) {
    const ps_t now = this->now();
    if (at_ps < now) at_ps = now;
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = uint32_t(records_.size());
      records_.emplace_back();
    }
    records_[slot] = Record{h, ptr, arg, kind};
    const Key k{at_ps, (next_seq_++ << kSlotBits) | slot};
    heap_.push_back(k);
    sift_up(heap_.size() - 1);
    if (!running_ && heap_[0].order == k.order) wake_.notify(from_ps(at_ps - now));
  }
  size_t pending() const { return heap_.size(); }
  uint64_t executed() const { return executed_; }

 private:
  // The heap holds 16-byte keys only (time, then insertion order with the record's slot in the low
  // bits), four children to a node: a sift touches one cache line per level. The records sit in a slab.
  static constexpr unsigned kSlotBits = 24;  // up to 16 M pending records; 2^40 insertions per run
  struct Key {
    ps_t t;
    uint64_t order;
    bool before(const Key& o) const { return t != o.t ? t < o.t : order < o.order; }
  };
  struct Record {
    EventHandler* h;
    void* ptr;
    uint64_t arg;
    uint32_t kind;
  };

  void run() {
    const ps_t now = to_ps(sc_core::sc_time_stamp());
    ps_t limit = now;
    if (decoupled_) {
      // Up to (not including) the kernel's next activity; nothing else can run before it.
      const sc_core::sc_time gap = sc_core::sc_time_to_pending_activity();
      const ps_t next = gap == sc_core::sc_max_time() - sc_core::sc_time_stamp() ? ~ps_t(0) : now + to_ps(gap);
      limit = std::max(now, std::min(next == ~ps_t(0) ? next : next - 1, horizon_));
    }
    running_ = true;
    while (!heap_.empty() && heap_[0].t <= limit) {
      const Key k = heap_[0];
      pop_top();
      current_ = k.t;
      const uint32_t slot = uint32_t(k.order & ((1u << kSlotBits) - 1));
      const Record r = records_[slot];
      free_slots_.push_back(slot);
      ++executed_;
      // Software pipelining against cache misses (in a large fabric the packets and ports an event
      // touches are rarely still cached): load the next record's handler and packet lines now, and the
      // record after it (the smallest of the top's children) so its pointers are ready next time.
      if (!heap_.empty()) {
        const Record& n = records_[heap_[0].order & ((1u << kSlotBits) - 1)];
        __builtin_prefetch(n.h);
        if (n.ptr) {
          // A pooled payload: its data pointer and length, its reference count, the frame's headers.
          const char* p = static_cast<const char*>(n.ptr);
          __builtin_prefetch(p + 24);
          __builtin_prefetch(p + 128);
          __builtin_prefetch(p + 160);
        }
        const size_t m = std::min<size_t>(heap_.size(), 5);
        if (m > 1) {
          size_t b = 1;
          for (size_t c = 2; c < m; ++c)
            if (heap_[c].before(heap_[b])) b = c;
          __builtin_prefetch(&records_[heap_[b].order & ((1u << kSlotBits) - 1)]);
        }
      }
      r.h->on_event(r.kind, r.ptr, r.arg);
    }
    running_ = false;
    if (!heap_.empty()) wake_.notify(from_ps(heap_[0].t > now ? heap_[0].t - now : 0));
  }

  void sift_up(size_t i) {
    const Key x = heap_[i];
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (!x.before(heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = x;
  }
  void pop_top() {
    const Key x = heap_.back();
    heap_.pop_back();
    const size_t n = heap_.size();
    if (!n) return;
    size_t i = 0;
    for (;;) {
      const size_t c0 = 4 * i + 1;
      if (c0 >= n) break;
      size_t best = c0;
      const size_t cend = std::min(c0 + 4, n);
      for (size_t c = c0 + 1; c < cend; ++c)
        if (heap_[c].before(heap_[best])) best = c;
      if (!heap_[best].before(x)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = x;
  }

  sc_core::sc_event wake_;
  std::vector<Key> heap_;
  std::vector<Record> records_;
  std::vector<uint32_t> free_slots_;
  uint64_t next_seq_ = 0;
  uint64_t executed_ = 0;
  bool running_ = false;
  ps_t current_ = 0;
  bool decoupled_ = false;
  ps_t horizon_ = ~ps_t(0);
};

}  // namespace panama
