// A time-ordered event list served by one SC_METHOD: the htsim-style event loop inside SystemC.
// A model schedules (time, handler, kind, payload, argument) records instead of spawning a thread or an
// sc_event per packet; the method wakes once per distinct timestamp and runs every due record in
// (time, insertion) order, so the same input always gives the same order of execution.
//
// Two stores hold the pending records, both ordered by (time, insertion order):
// - Lanes: most events of a network are scheduled a fixed delay ahead (a frame's serialisation time, or
//   that plus the link's propagation delay), and `now` never decreases, so the records of one delay
//   arrive in time order: a FIFO per recurring delay keeps them sorted at O(1) per record.
// - A 4-ary heap for everything else (timers, one-off delays, and any record that would break a lane's
//   order).
// A winner tree over the lanes' heads and the heap's top (a tournament: each node holds the earlier of
// its two children) names the earliest record; which store a record sat in does not change the order.
#pragma once

#include "common/clock.h"
#include "common/ring_queue.h"

#include <systemc>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace panama {

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void on_event(uint32_t kind, void* ptr, uint64_t arg) = 0;
  // For records scheduled with EventQueue::kPrefetch in their kind: called while the records before
  // this one run, at stage 1 (four records ahead), then stage 0 (next), to load what on_event will read
  // (a chain of dependent loads, one link per stage). It may change only what its own handler reads:
  // `arg` is the record's, so a stage can leave a result for the next stage or for on_event (a record
  // inserted ahead of others may see fewer or more calls, so neither may rely on one).
  virtual void prefetch_event(uint32_t kind, void* ptr, uint64_t& arg, int stage) {
    (void)kind;
    (void)ptr;
    (void)arg;
    (void)stage;
  }
};

class EventQueue : public sc_core::sc_module {
 public:
  explicit EventQueue(const sc_core::sc_module_name& name) : sc_module(name) {
    SC_HAS_PROCESS(EventQueue);
    SC_METHOD(run);
    sensitive << wake_;
    dont_initialize();
    heap_.reserve(1024);
    lanes_.reserve(kMaxLanes);
    lane_last_.reserve(kMaxLanes);
    grow_tree();
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
    if ((kind & ~kPrefetch) >> kKindBits) refuse_kind();
    const ps_t now = this->now();
    if (at_ps < now) at_ps = now;
    const uint64_t order = next_seq_++ << kSlotBits;
    ++pending_;
    if (win_n_ && at_ps < win_at(win_n_ - 1).t) return insert_ahead(at_ps, order, h, ptr, arg, hint, kind);
    const int li = lane_for(at_ps - now);
    // A lane takes the record if it keeps the lane in time order. The time of the lane's last record is
    // kept beside the lanes (reading it from the ring's tail entry waited for that line: its store had
    // often not reached the cache yet). An empty lane's last record ran by now, so it is no later.
    if (li >= 0 && lane_last_[size_t(li)] <= at_ps) {
      RingQueue<Entry>& q = lanes_[size_t(li)];
      const bool was_empty = q.empty();
      q.push_back(make_entry(at_ps, order, h, ptr, arg, hint, kind));
      lane_last_[size_t(li)] = at_ps;
      // Claim the line a few records on for writing now, so that later pushes do not wait for it.
      q.prefetch_tail(kLaneWriteAhead);
      if (was_empty) set_leaf(uint32_t(li) + 1, make_key(at_ps, order) | (uint32_t(li) + 1));
    } else {
      push_heap_record(at_ps, order, h, ptr, arg, hint, kind);
    }
    // Outside a run (a model of another SystemC process scheduling), wake up for the new record if it
    // is the earliest pending one (a kernel call per record would cost more than the check).
    if (!running_) wake_if_earliest(at_ps, now);
  }
  // Lookahead (between runs only): the next eight records are taken into a window ahead of time, and
  // the prefetch hooks of their handlers run (EventHandler::prefetch_event), instead of loading one
  // record ahead. It changes no result, only speed: it pays where the model's state is far larger than
  // the cache (a k = 16 fat-tree: +29 %) and costs where it fits (k = 8: about -4 %), so the fabric
  // turns it on by its size (docs/network.md 6.3).
  void set_lookahead(bool on) { hooks_ = on; }
  bool lookahead() const { return hooks_; }
  size_t pending() const { return pending_; }
  uint64_t executed() const { return executed_; }
  size_t lanes() const { return lanes_.size(); }
  // Or'ed into a record's kind: the handler's prefetch_event is called for it before it runs. (Kinds
  // themselves are below 2^23: see Entry.)
  static constexpr uint32_t kPrefetch = 0x80000000u;

 private:
  // Heap keys: 16 bytes (time, then insertion order with the record's slot in the low bits); the records
  // sit in a slab. Four children to a node: a sift touches one cache line per level.
  static constexpr unsigned kSlotBits = 24;  // up to 16 M pending heap records; 2^40 insertions per run
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
  // A lane's (and the window's) record, with its own key: 48 bytes. The insertion order leaves the low
  // kSlotBits free (heap keys put a slab index there), so the kind rides in them: its low 23 bits and
  // kPrefetch as bit 23 (56 bytes with a field of its own: a seventh of every lane's writes and reads).
  static constexpr uint64_t kSlotMask = (uint64_t(1) << kSlotBits) - 1;
  static constexpr uint32_t kKindBits = kSlotBits - 1;
  struct Entry {
    ps_t t;
    uint64_t order_kind;
    EventHandler* h;
    void* ptr;
    uint64_t arg;
    const void* hint;
    uint64_t order() const { return order_kind & ~kSlotMask; }
    uint32_t bare_kind() const { return uint32_t(order_kind & ((uint64_t(1) << kKindBits) - 1)); }  // no flag
    uint32_t kind() const { return bare_kind() | (prefetch_stages() ? kPrefetch : 0); }
    bool prefetch_stages() const { return order_kind >> kKindBits & 1; }
  };
  static Entry make_entry(ps_t t, uint64_t order, EventHandler* h, void* ptr, uint64_t arg, const void* hint,
                          uint32_t kind) {
    return Entry{t, order | (kind & ~kPrefetch) | (kind & kPrefetch ? uint64_t(1) << kKindBits : 0), h, ptr, arg, hint};
  }

  [[noreturn]] __attribute__((noinline, cold)) static void refuse_kind() {
    throw std::invalid_argument("EventQueue: a record's kind must be below 2^23");
  }
  __attribute__((noinline)) void wake_if_earliest(ps_t at_ps, ps_t now) {
    if (earliest_time() == at_ps) wake_.notify(from_ps(at_ps - now));
  }

  // Lanes are made for delays that recur often: a table counts delays (evicting rarely seen ones), the
  // counts halve every kDecayPeriod schedules, and a delay whose count reaches kLaneThreshold gets a
  // lane, up to kMaxLanes. A delay thus needs a steady share of at least kLaneThreshold / (2 x
  // kDecayPeriod) = 0.8 % of the records: in a fabric, frame deliveries and ends of serialisation for
  // each frame size and link type. Rare delays that merely repeat (a frame queued behind one that
  // started at some odd time) stay in the heap, so the heap over the lanes stays small (at k = 8 five
  // lanes; under the earlier rule, a lane for every delay seen 32 times, six delays held 99 % of the
  // lane records and rare ones filled 64 lanes, making the lane heap three levels deep, 7 % slower).
  static constexpr size_t kMaxLanes = 16;
  static constexpr uint32_t kLaneThreshold = 1024;
  static constexpr uint32_t kDecayPeriod = 65536;
  static constexpr size_t kDeltaSlots = 512;
  static constexpr size_t kProbe = 8;
  static constexpr size_t kLaneLookahead = 16;
  static constexpr uint32_t kLaneWriteAhead = 8;  // records (of 48 bytes) ahead of a lane's tail
  struct DeltaSlot {
    ps_t delta = ~ps_t(0);  // ~0: free
    uint32_t count = 0;
    int32_t lane = -1;
  };
  // The usual case inline: a delay that has a lane, found in its home slot. The rest (probing on,
  // counting, making a lane, the decay) out of line, so that schedule() stays small: with everything
  // inlined it saved six registers and built a large frame on every call.
  int lane_for(ps_t delta) {
    if (++decay_tick_ == kDecayPeriod) decay();
    const size_t h = size_t((delta * 0x9E3779B97F4A7C15ull) >> 55) & (kDeltaSlots - 1);
    const DeltaSlot& home = delta_table_[h];
    if (home.delta == delta && home.lane >= 0) return home.lane;
    return lane_for_slow(delta, h);
  }
  __attribute__((noinline)) void decay() {
    decay_tick_ = 0;
    for (DeltaSlot& s : delta_table_) s.count /= 2;
  }
  __attribute__((noinline)) int lane_for_slow(ps_t delta, size_t h) {
    size_t victim = kDeltaSlots;
    for (size_t i = 0; i < kProbe; ++i) {
      DeltaSlot& s = delta_table_[(h + i) & (kDeltaSlots - 1)];
      if (s.delta == delta) {
        if (s.lane >= 0) return s.lane;
        if (++s.count >= kLaneThreshold && lanes_.size() < kMaxLanes) {
          s.lane = int32_t(lanes_.size());
          lanes_.emplace_back();
          lane_last_.push_back(0);
          if (lanes_.size() + 1 > leaves_) grow_tree();
          return s.lane;
        }
        return -1;
      }
      if (s.delta == ~ps_t(0)) {
        s = DeltaSlot{delta, 1, -1};
        return -1;
      }
      if (s.lane < 0 && (victim == kDeltaSlots || s.count < delta_table_[victim].count)) victim = (h + i) & (kDeltaSlots - 1);
    }
    if (victim != kDeltaSlots) delta_table_[victim] = DeltaSlot{delta, 1, -1};
    return -1;
  }

  // The winner tree: leaf 0 is the heap's top, leaf l + 1 lane l's head; w_[leaves_ + j] holds leaf j's
  // key and w_[i] the earlier of w_[2i] and w_[2i + 1], so w_[1] is the earliest pending record. A
  // leaf's key carries its leaf number in the slot bits (the heap's slot is read from the heap itself;
  // insertion orders are unique, so those bits never decide a comparison); an empty leaf holds kNone.
  // Replacing a leaf recomputes its path to the root: log2(leaves) comparisons, three for up to seven
  // lanes, where a 4-ary heap over the lanes took a selection among four children and more (about 55
  // instructions per record at k = 16, by callgrind).
  static constexpr Key kNone = ~Key(0);
  void set_leaf(uint32_t leaf, Key x) {
    size_t i = leaves_ + leaf;
    Key* w = w_.data();
    w[i] = x;
    auto up = [w, &i, &x] {
      const Key sib = w[i ^ 1];
      x = sib < x ? sib : x;  // (branch-free: which child wins is unpredictable)
      i >>= 1;
      w[i] = x;
    };
    if (leaves_ == 8) {  // (up to seven lanes, as in the fat-trees: the loop unrolled)
      up(), up(), up();
      return;
    }
    while (i > 1) up();
  }
  // The heap's top as leaf 0's key, lane l's head as leaf l + 1's (or kNone).
  Key heap_leaf() const { return heap_.empty() ? kNone : (heap_[0] & ~Key(kSlotMask)); }
  Key lane_leaf(size_t l) const {
    const RingQueue<Entry>& q = lanes_[l];
    return q.empty() ? kNone : make_key(q.front().t, q.front().order()) | (l + 1);
  }
  // Rebuilds the tree with room for every lane and the heap (a lane was added).
  void grow_tree() {
    size_t n = 2;
    while (n < lanes_.size() + 1) n *= 2;
    leaves_ = n;
    w_.assign(2 * n, kNone);
    w_[n] = heap_leaf();
    for (size_t l = 0; l < lanes_.size(); ++l) w_[n + l + 1] = lane_leaf(l);
    for (size_t i = n - 1; i >= 1; --i) w_[i] = std::min(w_[2 * i], w_[2 * i + 1]);
  }
  // The heap's top changed (a push that went to the top, or a pop).
  void heap_top_changed() { set_leaf(0, heap_leaf()); }
  // The winner's leaf: 0 the heap, l + 1 lane l (something must be pending).
  uint32_t winner() const { return key_slot(w_[1]); }
  // Removes the head of lane `lane` (the earliest record).
  void lane_pop(uint32_t lane) {
    RingQueue<Entry>& q = lanes_[lane];
    q.pop_front();
    // A lane is read front to back, but with dozens of lanes interleaved the hardware prefetcher loses
    // track: load the entries a few pops ahead (written ~10^4 events ago, usually out of L2 by now).
    if (q.size() > kLaneLookahead) __builtin_prefetch(&q.at(kLaneLookahead));
    set_leaf(lane + 1, lane_leaf(lane));
  }
  // Removes the heap's top (the earliest record) and returns its record's slot.
  uint32_t heap_pop() {
    const uint32_t slot = key_slot(heap_[0]);
    pop_top();
    heap_top_changed();
    free_slots_.push_back(slot);
    return slot;
  }

  // The time of the earliest pending record (something must be pending).
  ps_t earliest_time() const { return key_time(w_[1]); }

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
    if (hooks_) run_window(limit);
    else run_direct(limit);
    running_ = false;
    if (pending_) {
      const ps_t t = earliest_time();
      wake_.notify(from_ps(t > now ? t - now : 0));
    }
  }

  // Runs every record due by `limit` straight from the lanes and the heap, loading the next record's
  // handler, hint and packet lines while one runs (lookahead off).
  void run_direct(ps_t limit) {
    for (;;) {
      Record r;
      if (!pending_ || key_time(w_[1]) > limit) break;
      current_ = key_time(w_[1]);
      if (const uint32_t leaf = winner()) {
        const Entry& e = lanes_[leaf - 1].front();
        r = Record{e.h, e.ptr, e.arg, e.hint, e.bare_kind()};  // (the flag is not passed on)
        lane_pop(leaf - 1);
      } else {
        r = records_[heap_pop()];
        r.kind &= ~kPrefetch;
      }
      --pending_;
      ++executed_;
      if (pending_) {
        const void *nh, *np, *nhint;
        if (const uint32_t leaf = winner()) {
          const Entry& n = lanes_[leaf - 1].front();
          nh = n.h, np = n.ptr, nhint = n.hint;
        } else {
          const Record& n = records_[key_slot(heap_[0])];
          nh = n.h, np = n.ptr, nhint = n.hint;
        }
        prefetch_record(nh, nhint, np);
      }
      r.h->on_event(r.kind, r.ptr, r.arg);
    }
  }
  // The same through the window, with the handlers' prefetch stages (lookahead on).
  void run_window(ps_t limit) {
    for (;;) {
      while (win_n_ < kWindow && take_next(limit)) {
      }
      if (!win_n_) break;
      const Entry& r = win_[win_head_];
      const ps_t t = r.t;
      EventHandler* const h = r.h;
      const uint32_t kind = r.bare_kind();
      void* const ptr = r.ptr;
      const uint64_t arg = r.arg;
      win_head_ = (win_head_ + 1) & (kWindow - 1);
      --win_n_;
      --pending_;
      ++executed_;
      current_ = t;
      // The records behind it continue their loads: a handler's dependent loads (a frame's headers,
      // then the route they select, then the egress port it names), one stage per position.
      if (win_n_ > kStage1Ahead) {
        Entry& e = win_at(kStage1Ahead);
        if (e.prefetch_stages()) e.h->prefetch_event(e.bare_kind(), e.ptr, e.arg, 1);
      }
      if (win_n_ > kStage0Ahead) {
        Entry& e = win_at(kStage0Ahead);
        if (e.prefetch_stages()) e.h->prefetch_event(e.bare_kind(), e.ptr, e.arg, 0);
      }
      h->on_event(kind, ptr, arg);
    }
  }
  static void prefetch_record(const void* h, const void* hint, const void* ptr) {
    __builtin_prefetch(h);
    if (hint) __builtin_prefetch(hint);
    if (ptr) {
      // A pooled payload: its data pointer and length; its reference count and the frame's headers.
      __builtin_prefetch(static_cast<const char*>(ptr) + 24);
      __builtin_prefetch(static_cast<const char*>(ptr) + 160);
    }
  }

  // The window (lookahead): the next kWindow records in order, taken out of the lanes and the heap ahead
  // of time so that the memory they touch is loaded while the records before them run (in a large fabric the
  // packets and ports an event touches are rarely still cached). Records only enter it during a run,
  // and only those due by the run's limit, so it is empty between runs.
  static constexpr size_t kWindow = 8;
  // A record entering the window (7 ahead of the one running) loads its handler, hint and packet; the
  // prefetch stages run at these window positions (0: next to run). Measured at k = 16: a window of 16
  // with the stages at 8 and 3, or at 6 and 2, ran no faster (4.03 / 3.98 / 4.01 M packet-hops/s,
  // medians of four alternating 0.3 ms runs), nor did lane lookaheads of 4 or 48.
  static constexpr size_t kStage1Ahead = 3;
  static constexpr size_t kStage0Ahead = 0;
  Entry& win_at(size_t i) { return win_[(win_head_ + i) & (kWindow - 1)]; }
  // Moves the earliest stored record (if due by `limit`) to the window's end and starts loading its
  // handler, hint and packet.
  bool take_next(ps_t limit) {
    // (Records in the window are pending too: the tree holds only stored ones.)
    const Key top = w_[1];
    if (top == kNone || key_time(top) > limit) return false;
    Entry& e = win_at(win_n_);
    if (const uint32_t leaf = winner()) {
      e = lanes_[leaf - 1].front();
      lane_pop(leaf - 1);
    } else {
      const Record& rec = records_[heap_pop()];  // (the slot is free, its record not yet overwritten)
      e = make_entry(key_time(top), uint64_t(top) & ~kSlotMask, rec.h, rec.ptr, rec.arg, rec.hint, rec.kind);
    }
    ++win_n_;
    // The handler's first line (a port's start state; a delivery's handler is the sending port's
    // arrival line). Handlers load the rest in their prefetch stages, only what they read.
    __builtin_prefetch(e.h);
    if (e.hint) __builtin_prefetch(e.hint);
    if (e.ptr) {
      // The second line: a pooled payload's reference count and the frame's headers. A record with
      // prefetch stages loads the first (data pointer and length) itself, only where it is read.
      if (!e.prefetch_stages()) __builtin_prefetch(static_cast<const char*>(e.ptr) + 24);
      __builtin_prefetch(static_cast<const char*>(e.ptr) + 160);
    }
    return true;
  }
  // A record due before the window's last (scheduled during a run with a short delay): placed in order
  // in the window; a full window returns its last record to the heap, which keeps every stored record
  // after every record in the window.
  // (The out-of-line paths take a record's fields as scalars: a record built on the caller's stack and
  // read back as 16-byte words waited for its 8-byte stores to reach the cache, which cannot forward
  // to a wider load: about 4 % of a k = 16 run's time in push_heap_record alone.)
  __attribute__((noinline)) void insert_ahead(ps_t t, uint64_t order, EventHandler* h, void* ptr, uint64_t arg,
                                              const void* hint, uint32_t kind) {
    if (win_n_ == kWindow) {
      const Entry& last = win_at(kWindow - 1);
      push_heap_record(last.t, last.order(), last.h, last.ptr, last.arg, last.hint, last.kind());
      --win_n_;
    }
    if (hint) __builtin_prefetch(hint);
    size_t i = win_n_;
    for (; i > 0 && win_at(i - 1).t > t; --i) win_at(i) = win_at(i - 1);  // equal times keep insertion order
    win_at(i) = make_entry(t, order, h, ptr, arg, hint, kind);
    ++win_n_;
  }
  __attribute__((noinline)) void push_heap_record(ps_t t, uint64_t order, EventHandler* h, void* ptr, uint64_t arg,
                                                  const void* hint, uint32_t kind) {
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = uint32_t(records_.size());
      records_.emplace_back();
    }
    Record& rec = records_[slot];
    rec.h = h;
    rec.ptr = ptr;
    rec.arg = arg;
    rec.hint = hint;
    rec.kind = kind;
    const Key k = make_key(t, order | slot);
    heap_.push_back(k);
    sift_up(heap_, heap_.size() - 1);
    if (heap_[0] == k) heap_top_changed();
  }

  // Moves heap[i] up to its place.
  static void sift_up(std::vector<Key>& heap, size_t i) {
    const Key x = heap[i];
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (!(x < heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = x;
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
    h[i] = x;
    sift_up(heap_, i);
  }

  sc_core::sc_event wake_;
  std::vector<Key> heap_;
  std::vector<Record> records_;
  std::vector<uint32_t> free_slots_;
  std::vector<RingQueue<Entry>> lanes_;
  std::vector<ps_t> lane_last_;  // time of each lane's last record
  std::vector<Key> w_;  // the winner tree (2 x leaves_ nodes; w_[0] unused)
  size_t leaves_ = 0;
  Entry win_[kWindow];
  size_t win_head_ = 0, win_n_ = 0;
  bool hooks_ = false;
  DeltaSlot delta_table_[kDeltaSlots];
  size_t pending_ = 0;
  uint32_t decay_tick_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t executed_ = 0;
  bool running_ = false;
  ps_t current_ = 0;
  bool decoupled_ = false;
  ps_t horizon_ = ~ps_t(0);
};

}  // namespace panama
