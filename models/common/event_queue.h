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
    heap_.push_back(Item{at_ps, next_seq_++, h, kind, ptr, arg});
    sift_up(heap_.size() - 1);
    if (!running_ && heap_[0].seq == next_seq_ - 1) wake_.notify(from_ps(at_ps - now));
  }
  size_t pending() const { return heap_.size(); }
  uint64_t executed() const { return executed_; }

 private:
  struct Item {
    ps_t t;
    uint64_t seq;
    EventHandler* h;
    uint32_t kind;
    void* ptr;
    uint64_t arg;
    bool before(const Item& o) const { return t != o.t ? t < o.t : seq < o.seq; }
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
      Item it = heap_[0];
      current_ = it.t;
      pop_top();
      ++executed_;
      // The next record's handler and payload are known now: start loading them while this one runs
      // (in a large fabric they are rarely still in cache).
      if (!heap_.empty()) {
        __builtin_prefetch(heap_[0].h);
        if (heap_[0].ptr) __builtin_prefetch(heap_[0].ptr);
      }
      it.h->on_event(it.kind, it.ptr, it.arg);
    }
    running_ = false;
    if (!heap_.empty()) wake_.notify(from_ps(heap_[0].t > now ? heap_[0].t - now : 0));
  }

  void sift_up(size_t i) {
    Item x = heap_[i];
    while (i > 0) {
      size_t parent = (i - 1) / 2;
      if (!x.before(heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = x;
  }
  void pop_top() {
    Item x = heap_.back();
    heap_.pop_back();
    if (heap_.empty()) return;
    size_t i = 0, n = heap_.size();
    for (;;) {
      size_t c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heap_[c + 1].before(heap_[c])) ++c;
      if (!heap_[c].before(x)) break;
      heap_[i] = heap_[c];
      i = c;
    }
    heap_[i] = x;
  }

  sc_core::sc_event wake_;
  std::vector<Item> heap_;
  uint64_t next_seq_ = 0;
  uint64_t executed_ = 0;
  bool running_ = false;
  ps_t current_ = 0;
  bool decoupled_ = false;
  ps_t horizon_ = ~ps_t(0);
};

}  // namespace panama
