// Common base of every node of the data-centre fabric (switch, PSwitch, host NIC): numbered ports, each
// a TLM initiator (towards the link's far end) and a TLM target (from it). One fabric-wide event list
// (htsim-style) drives every node, so the kernel wakes once per timestamp, not once per node.
#pragma once

#include "common/clock.h"
#include "common/event_queue.h"
#include "common/packet_pool.h"
#include "protocol/drop_reason.h"
#include "protocol/packet.h"

#include <systemc>
#include <tlm>
#include <memory>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace panama {

// Traffic classes (802.1p priorities): aggregation traffic (DSCP 0x38) rides the lossless class,
// everything else the lossy ECN class.
constexpr uint8_t kTcLossy = 0;
constexpr uint8_t kTcLossless = 3;
constexpr uint8_t kTcAckNic = 1;  // host NIC only: pure ACKs ahead of the host's own data
constexpr uint8_t kNumTc = 8;

// Drops the network adds to the decoder's and the accelerator's reasons.
enum class NetDrop : uint8_t { buffer_overflow, lossless_overflow, corrupted, link_down, no_route, count_ };
constexpr const char* kNetDropNames[] = {"buffer_overflow", "lossless_overflow", "corrupted", "link_down",
                                         "no_route"};

// Shared by every model of one fabric simulation: the event list, the packet pool, the seeded RNG.
struct NetContext {
  EventQueue& events;
  PacketPool& pool;
  std::mt19937_64 rng;
  NetContext(EventQueue& eq, PacketPool& p, uint64_t seed) : events(eq), pool(p), rng(seed) {}
  ps_t now() const { return events.now(); }
};

struct PortCounters {  // a port's counters (EgressPort::counters())
  uint64_t tx_frames = 0, tx_bytes = 0;
  ps_t busy_ps = 0;  // time spent serialising (utilisation = busy / elapsed)
  uint64_t delivered_frames = 0, delivered_bytes = 0;  // received intact by the far end
  uint64_t peak_queue_bytes = 0;  // all classes
  uint64_t ecn_marked = 0, pause_sent = 0, pause_received = 0, resume_sent = 0;
};

class EgressPort;
class Link;

class NetNode : public sc_core::sc_module, public EventHandler, public tlm::tlm_bw_transport_if<> {
 public:
  // Port i's TLM-2.0 sockets: `tx(i)` towards the far end of link i, `rx(i)` from it (Link binds them).
  // A frame is one nb_transport_fw(BEGIN_REQ) when its last bit arrives, completed at once: PFC, not
  // TLM, pushes back, so nothing comes back on the backward path.
  tlm::tlm_initiator_socket<>& tx(uint32_t i) { return *tx_[i]; }
  tlm::tlm_target_socket<>& rx(uint32_t i) { return *rx_[i]; }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

  NetNode(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id);
  ~NetNode() override;

  uint32_t id() const { return id_; }
  uint32_t num_ports() const { return uint32_t(ports_.size()); }
  // Frames and bytes received on `port` (counted by the far end's sender, see EgressPort).
  uint64_t rx_frames(uint32_t port) const;
  uint64_t rx_bytes(uint32_t port) const;
  EgressPort& port(uint32_t i) { return *ports_[i]; }
  const EgressPort& port(uint32_t i) const { return *ports_[i]; }
  NetContext& ctx() { return ctx_; }
  MacAddr mac() const { return node_mac(id_); }

  // Adds a port and its sockets (called by Link's constructor, which binds them).
  uint32_t add_port(Link* link);

  // The node's interface to its ports: a frame has fully arrived on `port` (after serialisation and
  // propagation, corruption filtered) ...
  virtual void receive(uint32_t port, tlm::tlm_generic_payload& gp) = 0;
  // ... and port `port` starts serialising `gp` of class `tc`, `len` bytes (buffer accounting, PFC
  // release); `tag` is what the node passed to EgressPort::enqueue. The length comes from the queue entry:
  // the payload has usually left the cache since it was queued.
  virtual void on_transmit(uint32_t port, tlm::tlm_generic_payload& gp, uint8_t tc, uint32_t tag, uint32_t len) {
    (void)port;
    (void)gp;
    (void)tc;
    (void)tag;
    (void)len;
  }

  // The fast path behind receive(), which a node may register (FastReceive); a port that delivers to it
  // without faults on the link then uses it for every frame. Each member is a plain function, taken once
  // when a link is bound, so that a delivery reads neither the node's vtable pointer (a line of the node
  // nothing else on the path reads) nor its vtable.
  //
  // `prefetch` loads ahead what receive will read, in dependent stages: stage 1 (the frame's headers
  // loaded), then stage 0 (next to run). `arg` is the delivery record's argument: the frame's length in
  // its low half (prefetch_len) and in its high half a state (prefetch_state) that starts at 0 and is the
  // node's own: it carries a result from stage 1 to stage 0 and from there to `receive`
  // (EventHandler::prefetch_event).
  using ReceivePrefetch = void (*)(const NetNode& node, uint32_t port, const tlm::tlm_generic_payload& gp, int stage,
                                   uint64_t& arg);
  // `receive` is receive(), given the state the prefetch left for this frame (0: none) and its length (from
  // the delivery record: the payload's first line need not be read).
  using ReceiveDirect = void (*)(NetNode& node, uint32_t port, tlm::tlm_generic_payload& gp, uint32_t state,
                                 uint32_t len);
  struct FastReceive {
    const void* hot = nullptr;  // what receive() reads first of the node's own state (loaded ahead)
    ReceivePrefetch prefetch = nullptr;  // (requires `receive`: only it reads the state)
    ReceiveDirect receive = nullptr;     // nullptr: the virtual receive()
  };
  const FastReceive& fast_receive() const { return fast_; }
  static uint32_t prefetch_len(uint64_t arg) { return uint32_t(arg); }
  static uint32_t prefetch_state(uint64_t arg) { return uint32_t(arg >> 32); }
  static void set_prefetch_state(uint64_t& arg, uint32_t state) { arg = uint64_t(state) << 32 | uint32_t(arg); }

  void count_drop(NetDrop r) { ++net_drops_[size_t(r)]; }
  void count_drop(DropReason r) { drops_.count(r); }
  uint64_t net_drops(NetDrop r) const { return net_drops_[size_t(r)]; }
  uint64_t net_drops_total() const;
  const DropCounters& drops() const { return drops_; }

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;
  // Kinds of a node's own events (its ports schedule theirs on themselves).
  enum Kind : uint32_t { node_kind_base = 16 };

 protected:
  virtual void on_node_event(uint32_t kind, void* ptr, uint64_t arg) { (void)kind; (void)ptr; (void)arg; }
  // Registers the fast path (in the constructor: ports take it when their link is bound).
  void set_fast_receive(const FastReceive& f) { fast_ = f; }
  NetContext& ctx_;
  EgressPort* const* port_table() const { return ports_.data(); }  // (valid until a port is added)

 private:
  friend class EgressPort;
  uint32_t id_;
  std::vector<EgressPort*> ports_;
  std::vector<std::unique_ptr<tlm::tlm_initiator_socket<>>> tx_;
  std::vector<std::unique_ptr<tlm::tlm_target_socket<>>> rx_;
  uint64_t net_drops_[size_t(NetDrop::count_)] = {};
  DropCounters drops_;
  FastReceive fast_;
};

}  // namespace panama
