// The transmit side of a node port: one FIFO per traffic class, a scheduler between classes (strict
// priority or deficit round robin), per-class PFC pause state, and the serialiser. A frame takes
// (frame + 24 B preamble/FCS/IFG) x 8 / rate on the wire and arrives at the far end one propagation
// delay after its last bit. Control frames (PFC) go next, ahead of every queue. Each frame on the wire
// is one record on the event list, scheduled when it starts: its delay (serialisation plus propagation)
// is the same for every frame of its size on this kind of link, so the list keeps these records in a
// FIFO lane at O(1) each (common/event_queue.h). Its handler is the port's arrival line (Arrival), the
// one cache line of the port a frame's arrival touches.
#pragma once

#include "common/clock.h"
#include "network/link.h"
#include "network/net_node.h"

#include <tlm>

#include <array>
#include <cstdint>
#include "common/ring_queue.h"

namespace panama {

// fifo: one logical queue per port. Frames of every class leave in arrival order (a class paused by
// PFC is skipped, so a pause does not block the others), and ECN marks follow the occupancy of the
// whole port: aggregation and TCP traffic see the same backlog, so the split between them is decided by
// their congestion controls (PANAMA's R3), not by a scheduler. strict_priority and deficit_round_robin
// keep one queue per class with a scheduler between them (exploration alternatives).
enum class Scheduler : uint8_t { fifo, strict_priority, deficit_round_robin };

// The receiving end of one direction of a link: the forward interface of the receiver's target socket.
// A frame (BEGIN_REQ) goes to the receiving node's receive() and is completed at once. A port whose
// socket is bound to its own WireEnd (as Link binds them) and whose link has no faults delivers
// straight from its arrival line instead (EgressPort::Arrival: the same call, without the interface's
// indirection, and with what the event list's prefetch stages found).
class WireEnd : public tlm::tlm_fw_transport_if<> {
 public:
  void connect(NetNode& node, uint32_t port) {
    node_ = &node;
    port_ = port;
  }
  NetNode* node() const { return node_; }
  uint32_t port() const { return port_; }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time&) override;
  // Frames are messages, not memory: no blocking transport, DMI or debug access.
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) override {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }

 private:
  NetNode* node_ = nullptr;
  uint32_t port_ = 0;
};

class EgressPort : public EventHandler {
 public:
  EgressPort(NetNode& owner, uint32_t index, Link& link);

  // A frame that finds the port idle starts a uniform random 0..max_ps later (a host NIC's start
  // latency; Fabric sets it on host ports, switch ports keep 0). Back-to-back frames are not delayed, so
  // a backlogged port still runs at line rate. Draws come from the port's own generator, seeded here.
  void set_start_jitter(ps_t max_ps, uint64_t seed) {
    jitter_max_ps_ = max_ps;
    jitter_state_ = seed;
    if (max_ps) link_state_ |= kJitter;
    else link_state_ &= uint8_t(~kJitter);
  }
  void set_scheduler(Scheduler s, uint32_t quantum_bytes) {
    sched_ = s;
    quantum_ = quantum_bytes;
  }
  // Queue a frame of class `tc`; the port holds the caller's reference from here. `tag` (< 2^16) comes
  // back in the owner's on_transmit (a switch passes the ingress port, for its PFC accounting): kept in
  // the queue entry, so starting a frame touches neither the payload nor its metadata.
  void enqueue(tlm::tlm_generic_payload* gp, uint8_t tc, uint32_t tag = 0) { enqueue(gp, tc, tag, gp->get_data_length()); }
  // The same, given the frame's length (`gp`'s data length).
  void enqueue(tlm::tlm_generic_payload* gp, uint8_t tc, uint32_t tag, uint32_t len);
  // A control frame (PFC) goes out next, after the frame on the wire.
  void send_control(tlm::tlm_generic_payload* gp);
  // PFC: stop (or resume) starting frames of class `tc`; `until` bounds a pause (quanta expiry).
  void pause(uint8_t tc, ps_t until);
  void resume(uint8_t tc);
  // A PFC frame received from the far end: pause (for its quanta) or resume each class it names.
  void apply_pfc(const PfcFrame& f);

  uint64_t queue_bytes(uint8_t tc) const { return cls_[tc].bytes; }
  uint64_t queue_packets(uint8_t tc) const { return cls_[tc].q.size(); }
  // Frames queued in every class (read only for the classes that hold frames).
  uint64_t total_packets() const {
    uint64_t n = 0;
    for (uint32_t m = nonempty_; m; m &= m - 1) n += cls_[size_t(__builtin_ctz(m))].q.size();
    return n;
  }
  // The backlog an ECN decision for a frame of class `tc` reads: the whole port's under fifo, the
  // class's own queue otherwise.
  uint64_t marking_packets(uint8_t tc) const { return sched_ == Scheduler::fifo ? total_packets() : queue_packets(tc); }
  Scheduler scheduler() const { return sched_; }
  uint64_t total_bytes() const { return total_bytes_; }
  // Frames queued here so far (all classes; control frames not included).
  uint64_t frames_queued() const {
    uint64_t n = 0;
    for (const ClassState& cs : cls_) n += cs.queued;
    return n;
  }
  double gbps() const { return link_.params().gbps; }  // (the Link's, not the copy: callable before bind)
  Link& link() const { return link_; }
  WireEnd& wire_end() { return wire_end_; }

  // The port's counters (a snapshot: they are kept in the cache lines of the code that writes them).
  PortCounters counters() const;
  // Counted by the owner: an ECN mark on a frame of class `tc` queued here, a PFC PAUSE or RESUME sent
  // from here.
  void count_ecn_mark(uint8_t tc) { ++cls_[tc].ecn_marked; }
  void count_pause_sent() { ++pause_sent_; }
  void count_resume_sent() { ++resume_sent_; }

  // The end of a frame's serialisation, a pause's expiry or a link coming up (kicks): the port's own
  // events on the fabric's event list (no detour through the node).
  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;
  void prefetch_event(uint32_t kind, void* ptr, uint64_t& arg, int stage) override;
  // Loads the lines queueing a frame of class `tc` here touches (a switch calls it a record ahead): the
  // start and class lines, and the counters line, which a frame that starts at once writes (one queued
  // behind another does not, but which of the two it is, is not known before the start line is in).
  void prefetch_enqueue(uint8_t tc) const {
    __builtin_prefetch(this);
    __builtin_prefetch(&far_hot_);
    __builtin_prefetch(&cls_[tc]);
  }

 private:
  enum Kind : uint32_t { kick_event = 0, deliver_event = 1 };
  struct Entry {
    tlm::tlm_generic_payload* gp;
    uint32_t len;    // frame bytes
    uint16_t tag;
    uint16_t stamp;  // arrival order at this port (fifo: the oldest head leaves first; see pick())
  };
  void try_start();
  void start(const Entry& e, int tc);
  void schedule_kick(ps_t at);
  int pick();
  // A delivery through the TLM interface (a link with faults, or a socket bound to something else).
  void deliver(tlm::tlm_generic_payload* gp, uint64_t arg);

  // Laid out by use, a cache line each: what starting a frame reads and writes (with the vtable
  // pointer); the arrival line (the handler of the port's delivery records); the delay, the far end's
  // hot state and the per-frame counters; then the cold state (other counters, the link, the control
  // queue, the TLM interface) and one line per class. In a large fabric a port is rarely still cached
  // when its next frame comes, so each line touched is a likely miss: a delivery touches one line of
  // the port, queueing and starting a frame three (start, counters, class).
  NetNode& owner_;
  NetContext& ctx_;  // the owner's (its time, event list and pool, without reading the owner's lines)
  // The line is busy until this time. A frame that finishes with nothing queued behind it costs no
  // event: the next enqueue after busy_until_ starts at once, an earlier one schedules a kick for then.
  ps_t busy_until_ = 0;
  ps_t kick_at_ = ~ps_t(0);  // earliest pending kick (end of serialisation, pause expiry, link up)
  uint64_t total_bytes_ = 0;
  SerializationRate ser_rate_;  // the link's (exact: a frame's wire time without a division)
  uint8_t nonempty_ = 0;  // bit c set: class c has frames (the scheduler reads one byte, not eight queues)
  uint8_t drr_next_ = 0;
  bool drr_credited_ = false;  // the current class got this visit's quantum
  Scheduler sched_ = Scheduler::strict_priority;
  bool control_pending_ = false;  // control_ is not empty (read here, not in control_'s line)
  // bind() has run (kBound); the link has down windows or a corruption probability (kFaults, read by
  // starts and deliveries). One byte: the line is full (64 bytes with the vtable pointer).
  // kJitter: frames that find the port idle start after a random latency (set_start_jitter); the fast
  // path of enqueue() then does not apply.
  enum : uint8_t { kBound = 1, kFaults = 2, kJitter = 4 };
  uint8_t link_state_ = 0;
  // Frames queued so far, modulo 2^16: the fifo scheduler's arrival stamps. Heads of two classes are
  // compared by their signed 16-bit difference, exact while they are fewer than 2^15 arrivals apart
  // (a class paused for longer may leave a few frames out of arrival order: never lost).
  uint16_t arrivals_ = 0;

  // The arrival of a frame at the far end: the handler of this port's delivery records, and all a
  // delivery on a fault-free link reads and writes, in one line: the receiving node and port, the
  // node's prefetch function, and the far end's receive counters (kept by the sender, where the line
  // is hot). A frame arrives straight through it (`direct`) when the port's socket is bound to its own
  // WireEnd and the link has no faults; otherwise through the port's deliver() and the TLM interface.
  class alignas(64) Arrival final : public EventHandler {
   public:
    void on_event(uint32_t kind, void* ptr, uint64_t arg) override;
    // The receiver's chain (NetNode::ReceivePrefetch); the record's argument carries the frame length
    // in its low half and the receiver's prefetch state in its high half.
    void prefetch_event(uint32_t kind, void* ptr, uint64_t& arg, int stage) override;
    EgressPort* port = nullptr;
    NetNode* node = nullptr;
    NetNode::ReceivePrefetch prefetch = nullptr;  // a plain function: calling it reads no line of the node
    NetNode::ReceiveDirect receive = nullptr;     // the same for the delivery (nullptr: virtual calls)
    uint64_t delivered_frames = 0, delivered_bytes = 0;  // received intact by the far end
    uint32_t rx_port = 0;
    bool direct = false;
  };
  Arrival arrival_;
  // Read and written by starting a frame (the peak queue is taken then too: see try_start): one
  // line. Copied from the Link when the first frame starts (tests and scenarios set fault windows
  // after building the fabric, before it runs).
  alignas(64) const void* far_hot_ = nullptr;  // the far end's FastReceive::hot, loaded ahead of a delivery
  ps_t delay_ps_ = 0;
  uint64_t tx_frames_ = 0, tx_bytes_ = 0;
  ps_t busy_ps_ = 0;  // time spent serialising (utilisation = busy / elapsed)
  uint64_t peak_queue_bytes_ = 0;
  double gbps_ = 0;
  uint32_t index_;
  uint32_t quantum_ = kMtuWireBytes;  // DRR

  alignas(64) tlm::tlm_fw_transport_if<>* far_end_ = nullptr;  // what this port's socket is bound to
  uint64_t pause_sent_ = 0, pause_received_ = 0, resume_sent_ = 0;
  ps_t jitter_max_ps_ = 0;    // set_start_jitter
  uint64_t jitter_state_ = 0;  // splitmix64 state of the start-latency draws
  ps_t next_start_jitter();
  Link& link_;
  void bind();  // looks up the far end and copies the link's parameters
  RingQueue<Entry> control_;
  WireEnd wire_end_;
  struct alignas(64) ClassState {  // one cache line per traffic class
    RingQueue<Entry> q;
    uint64_t bytes = 0;
    ps_t paused_until = 0;
    int64_t deficit = 0;
    uint64_t queued = 0;      // frames queued so far
    uint64_t ecn_marked = 0;  // ECN marks on frames queued here (by the owner)
  };
  std::array<ClassState, kNumTc> cls_;
};

// (Inline: a switch queues every frame it forwards through it; a call per frame, with the state it
// saves, was a measurable part of a frame's cost when the compiler chose not to inline it across units.)
inline void EgressPort::enqueue(tlm::tlm_generic_payload* gp, uint8_t tc, uint32_t tag, uint32_t len) {
  ClassState& cs = cls_[tc];
  ++cs.queued;
  // An idle port (nothing queued or on the wire, bound, no faults) whose class is not paused starts
  // the frame at once, leaving the state try_start() would leave after queueing it and taking it out
  // again, without the round trip through the ring: the ring's tail line is usually cold, and reading
  // the entry back waited for that line (a store that misses the cache does not forward to the load).
  const ps_t now = ctx_.now();
  if (!(nonempty_ | uint8_t(control_pending_)) && now >= busy_until_ && link_state_ == kBound &&
      cs.paused_until <= now) {
    if (len > peak_queue_bytes_) peak_queue_bytes_ = len;  // (nothing else queued: total_bytes_ is 0)
    if (sched_ == Scheduler::deficit_round_robin) {
      // DRR's visit credits the class and the frame spends it; a class left empty keeps no credit.
      drr_next_ = tc;
      drr_credited_ = true;
      cs.deficit = 0;
    }
    return start(Entry{gp, len, uint16_t(tag), 0}, tc);
  }
  // A port with a start latency (a host NIC) that was idle: the line is taken until the frame starts.
  // (A frame queued the instant the last one ends follows it back to back; busy_until_ 0: never sent.)
  if ((link_state_ & kJitter) && !(nonempty_ | uint8_t(control_pending_)) && (now > busy_until_ || busy_until_ == 0))
    busy_until_ = now + next_start_jitter();
  cs.q.push_back(Entry{gp, len, uint16_t(tag), arrivals_++});
  cs.q.prefetch_tail(4);  // the next line of the ring, for the frames queued after this one
  nonempty_ |= uint8_t(1u << tc);
  cs.bytes += len;
  total_bytes_ += len;
  try_start();
}

}  // namespace panama
