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

  // Schedule at absolute time `at_ps` (not before now). `hint`: memory the handler will read (loaded
  // ahead, while the event before it runs).
  void schedule(ps_t at_ps, EventHandler* h, uint32_t kind, void* ptr = nullptr, uint64_t arg = 0,
                const void* hint = nullptr) {
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
    records_[slot] = Record{h, ptr, arg, hint, kind};
    const Key k = make_key(at_ps, (next_seq_++ << kSlotBits) | slot);
    heap_.push_back(k);
    sift_up(heap_.size() - 1, k);
    if (!running_ && heap_[0] == k) wake_.notify(from_ps(at_ps - now));
  }
  size_t pending() const { return heap_.size(); }
  uint64_t executed() const { return executed_; }

 private:
  // The heap holds 16-byte keys only (time, then insertion order with the record's slot in the low
  // bits), four children to a node: a sift touches one cache line per level. The records sit in a slab.
  static constexpr unsigned kSlotBits = 24;  // up to 16 M pending records; 2^40 insertions per run
  // (time, insertion order) as one 128-bit integer: one comparison, and min-of-children selections the
  // compiler makes branch-free (heap comparisons are unpredictable; a mispredicted branch per level was
  // a large part of the event loop's cost).
  using Key = unsigned __int128;
  static Key make_key(ps_t t, uint64_t order) { return (Key(t) << 64) | order; }
  static ps_t key_time(Key k) { return ps_t(k >> 64); }
  static uint32_t key_slot(Key k) { return uint32_t(uint64_t(k) & ((1u << kSlotBits) - 1)); }
  struct Record {
    EventHandler* h;
    void* ptr;
    uint64_t arg;
    const void* hint;
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
    while (!heap_.empty() && key_time(heap_[0]) <= limit) {
      const Key k = heap_[0];
      pop_top();
      current_ = key_time(k);
      const uint32_t slot = key_slot(k);
      const Record r = records_[slot];
      free_slots_.push_back(slot);
      ++executed_;
      // Software pipelining against cache misses (in a large fabric the packets and ports an event
      // touches are rarely still cached): load the next record's handler and packet lines now, and the
      // record after it (the smallest of the top's children) so its pointers are ready next time.
      if (!heap_.empty()) {
        const Record& n = records_[key_slot(heap_[0])];
        __builtin_prefetch(n.h);
        if (n.hint) __builtin_prefetch(n.hint);
        if (n.ptr) {
          // A pooled payload: its data pointer and length; its reference count and the frame's headers.
          const char* p = static_cast<const char*>(n.ptr);
          __builtin_prefetch(p + 24);
          __builtin_prefetch(p + 160);
        }
        const size_t m = std::min<size_t>(heap_.size(), 5);
        if (m > 1) {
          size_t b = 1;
          for (size_t c = 2; c < m; ++c)
            if (heap_[c] < heap_[b]) b = c;
          __builtin_prefetch(&records_[key_slot(heap_[b])]);
        }
      }
      r.h->on_event(r.kind, r.ptr, r.arg);
    }
    running_ = false;
    if (!heap_.empty()) wake_.notify(from_ps(key_time(heap_[0]) > now ? key_time(heap_[0]) - now : 0));
  }

  void sift_up(size_t i, const Key x) {
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (!(x < heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = x;
  }
  // Removes the top (Floyd): the hole moves down to a leaf along the smallest children, then the last
  // key fills it and sifts up (usually not at all: it came from the bottom).
  void pop_top() {
    const Key x = heap_.back();
    heap_.pop_back();
    const size_t n = heap_.size();
    if (!n) return;
    Key* h = heap_.data();
    size_t i = 0;
    for (;;) {
      const size_t c0 = 4 * i + 1;
      if (c0 + 3 < n) {
        const Key a = h[c0], b = h[c0 + 1], c = h[c0 + 2], d = h[c0 + 3];
        const bool s1 = b < a, s2 = d < c;
        const Key m1 = s1 ? b : a, m2 = s2 ? d : c;
        const size_t i1 = s1, i2 = 2 + size_t(s2);
        const bool s3 = m2 < m1;
        h[i] = s3 ? m2 : m1;
        i = c0 + (s3 ? i2 : i1);
      } else {
        if (c0 >= n) break;
        size_t best = c0;
        for (size_t c = c0 + 1; c < n; ++c)
          if (h[c] < h[best]) best = c;
        h[i] = h[best];
        i = best;
      }
    }
    sift_up(i, x);
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
