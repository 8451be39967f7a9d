// DCTCP (Alizadeh et al., SIGCOMM 2010) for the non-aggregation traffic of the fabric: one DctcpStack per
// host demultiplexes TCP segments by ports to the flows it sends and receives; DctcpTransport owns the
// stacks and the flow table of one fabric and starts flows.
//
// Sender: MSS segmentation, slow start and congestion avoidance in bytes, ECN-capable data (ECT(0)),
// DCTCP's alpha <- (1 - g) alpha + g F once per window of data (F = fraction of newly ACKed bytes whose ACK
// carried ECE) and cwnd <- cwnd (1 - alpha / 2) on ECE at most once per window; NewReno fast retransmit on
// three duplicate ACKs and fast recovery; retransmission timeout (RFC 6298 estimator, configurable
// minimum, exponential backoff, go-back-N). Window growth continues in the window after a cut, as in the
// ns-2 model the DCTCP analysis was checked against (Linux freezes it for that window).
// Receiver: cumulative ACKs with an out-of-order buffer; CE is echoed as ECE per DCTCP: with one ACK per
// segment the ACK echoes that segment's CE bit; with delayed ACKs an ACK goes out at once whenever the
// CE state of arriving data changes, covering the data before the change with the old state.
//
// Simplifications: flows start sending data at once (no SYN/FIN handshake: connection setup adds one RTT
// to every flow alike and nothing to congestion control); no SACK, no receive-window limit, no Nagle;
// the payload is zeros (the model carries no application data). Segments are real frames built by
// encode_tcp, one pooled payload per segment, handed to the host NIC by reference (no per-hop copy). A
// data segment is queued at the host as (flow, offset, length, flags) and built when the NIC takes it
// (Host::send_deferred): the same bytes, without a window of built frames waiting in host memory.
#pragma once

#include "common/clock.h"
#include "common/event_queue.h"
#include "common/flat_map.h"
#include "network/host.h"
#include "transport/dctcp_window.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace panama {

class ConfigRegistry;
class Fabric;

struct DctcpConfig {
  uint32_t mss = 1460;              // payload bytes per segment (1460 -> 1500-byte IP packets)
  uint32_t init_cwnd = 10;          // initial window, segments (RFC 6928)
  uint32_t max_cwnd = 65535;        // window cap, segments
  double g = 1.0 / 16;              // alpha gain (DCTCP paper)
  double alpha_init = 1.0;          // alpha before the first estimate (Linux: 1, first cut halves)
  bool ecn = true;                  // ECN-capable data and the DCTCP response (false: loss-based NewReno)
  // Minimum RTO. 1 ms: far above the base RTT of the modelled fabrics (a few us at 100 Gbps, 100 us in the
  // DCTCP-paper dumbbell) and above the queueing delay at K, so timeouts are not spurious, yet far below
  // Linux's 200 ms, whose cost would swamp the FCT of short flows (data-centre practice, e.g. pFabric/HPCC).
  double min_rto_us = 1000.0;
  double max_rto_us = 1e6;          // backoff cap
  uint32_t dupack_threshold = 3;    // fast retransmit
  bool delayed_ack = false;         // ACK every `delayed_ack_segments` segments (DCTCP CE-change rule applies)
  uint32_t delayed_ack_segments = 2;
  double delayed_ack_timeout_us = 20.0;  // ACK a lone segment after this long

  void register_params(ConfigRegistry& reg, const std::string& prefix = "dctcp");
  void validate(const std::string& prefix = "dctcp") const;
};

// One flow's outcome (the sender's view). A flow is complete when its last byte is cumulatively ACKed.
struct FlowRecord {
  uint64_t id = 0;
  uint64_t tag = 0;                 // caller's label (workload, class)
  uint32_t src = 0, dst = 0;        // host indices
  uint64_t bytes = 0;
  ps_t start_ps = 0;
  ps_t finish_ps = 0;               // last byte ACKed at the sender (0 while running)
  bool done = false;
  uint64_t segments_sent = 0;       // data segments incl. retransmissions
  uint64_t retransmits = 0;         // data segments sent again
  uint64_t fast_retransmits = 0, timeouts = 0;
  uint64_t ece_acks = 0;            // ACKs that carried ECE
  uint64_t cwnd_cuts = 0;           // DCTCP window reductions
  ps_t fct_ps() const { return done ? finish_ps - start_ps : 0; }
  nlohmann::json to_json() const;
};

// Per-flow state of both ends (the model keeps them together; each end reads only its own fields).
// Laid out by who reads what for each packet: the receiver's fields fill the first two lines, the
// sender's the next five, so a host loads only its side's lines ahead of a delivery (the host's flow
// cache names them: Host::flow_hint, Host::prefetch_receive).
struct alignas(64) DctcpFlow {
  // Receiver: what on_data and send_ack read for every data segment.
  UdpAddressing ack_addr;           // the ACKs' addresses and ports (made when the flow begins)
  uint64_t rcv_nxt = 0;
  uint64_t rcv_end = 0;             // = rec.bytes, kept here for the receiver
  uint64_t delack_gen = 0;
  Host* dst = nullptr;
  std::map<uint64_t, uint64_t> ooo;  // out-of-order segments: start -> end
  uint32_t unacked_segments = 0;
  bool ce_state = false;

  // Sender: on_ack, try_send, send_segment, arm_rto and build_frame; byte offsets from the flow's first
  // byte (sequence number = offset mod 2^32).
  alignas(64) FlowRecord rec;
  Host* src = nullptr;
  UdpAddressing data_addr;          // the data segments' addresses and ports
  uint64_t snd_una = 0, snd_nxt = 0, snd_max = 0;
  DctcpWindow win;                  // cwnd, ssthresh (bytes), alpha and the observation windows
  double init_cwnd_bytes = 0;       // > 0: the window it starts with (start_flow)
  uint64_t recover = 0;
  uint64_t rtt_seq = 0;
  ps_t rtt_start = 0;
  double srtt_ps = 0, rttvar_ps = 0;
  ps_t rto_ps = 0;
  ps_t rto_deadline = 0;            // 0: disarmed
  ps_t rto_event_at = 0;
  uint64_t rto_gen = 0;
  uint32_t dupacks = 0;
  bool send_cwr = false;
  bool in_recovery = false;
  bool rtt_timing = false;
  bool rto_event_pending = false;

  // Read once per flow.
  uint16_t sport = 0, dport = 0;
  bool started = false;
  ps_t last_byte_rx_ps = 0;

  static constexpr size_t kReceiverLines = 2, kSenderLines = 5;
};

class DctcpTransport;

// Observer of flow completions (flow generator, statistics).
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  virtual void on_flow_complete(const FlowRecord& rec) = 0;
};

struct DctcpStackCounters {
  uint64_t data_sent = 0, acks_sent = 0, data_received = 0, acks_received = 0;
  uint64_t stray = 0;               // TCP segments for no known flow (late duplicates of finished flows)
};

// The TCP endpoint of one host: demultiplexes by (remote IP, local port, remote port). Frames that are not
// TCP go to the fallback receiver (e.g. the PANAMA worker on the same host), if any.
class alignas(64) DctcpStack : public HostReceiver {
 public:
  static constexpr uint16_t kServerPort = 5001;
  // The host's flow-cache entries (Host::flow_hint) the stack uses: data segments it receives, ACKs.
  static constexpr size_t kHintData = 0, kHintAck = 1;

  DctcpStack(DctcpTransport& t, Host& host);
  ~DctcpStack() override;  // clears the host's flow cache (its entries point into this transport's flows)
  void on_packet(Host& host, tlm::tlm_generic_payload& gp, const DecodedPacket& d) override;
  void prefetch_packet(const uint8_t* frame, size_t len) const override;
  void set_fallback(HostReceiver* r) { fallback_ = r; }
  Host& host() { return host_; }
  const DctcpStackCounters& counters() const { return c_; }

 private:
  friend class DctcpTransport;
  static uint64_t key(Ipv4Addr remote, uint16_t local_port, uint16_t remote_port) {
    return Host::flow_key(remote, local_port, remote_port);  // (the frame's source IP, destination, source port)
  }
  uint16_t allocate_port(Ipv4Addr remote);
  // The flow a table found last, in the host's flow cache (Host::flow_hint: entry 0 for data
  // segments, 1 for ACKs). Most segments (and ACKs) a host receives belong to the same flow as the one
  // before, so the cache is checked before the table, and the host loads the flow's lines (the
  // receiver's two or the sender's five) two stages ahead of the delivery when the frame matches.
  DctcpFlow* lookup(FlatMap<DctcpFlow*>& table, size_t hint, uint64_t k);
  void forget(FlatMap<DctcpFlow*>& table, size_t hint, uint64_t k);

  // The first line (Host::prefetch_receive loads it a stage before prefetch_packet reads it): what
  // on_packet reads and counts for every segment; the tables are read only when the host's flow cache
  // does not know the frame.
  DctcpTransport& t_;
  Host& host_;
  DctcpStackCounters c_;
  HostReceiver* fallback_ = nullptr;
  FlatMap<DctcpFlow*> senders_, receivers_;  // by key()
  uint16_t next_port_ = 10000;
};

// The DCTCP transport of one fabric: a stack on each host and the table of flows.
class DctcpTransport : public EventHandler, public FrameBuilder {
 public:
  // Installs a DctcpStack as the receiver of every host of `hosts` (all of `fabric`'s hosts when empty).
  DctcpTransport(Fabric& fabric, const DctcpConfig& cfg, const std::vector<uint32_t>& hosts = {});
  ~DctcpTransport() override;

  // Starts a flow of `bytes` from `src` to `dst` at time `at` (now if in the past); returns its id.
  // `init_cwnd_bytes` > 0: the flow starts with this window instead of init_cwnd segments (a message on
  // a persistent connection whose window is still open, e.g. the next step of a ring all-reduce).
  uint64_t start_flow(Host& src, Host& dst, uint64_t bytes, ps_t at, uint64_t tag = 0, double init_cwnd_bytes = 0);
  // Observers are told of every completed flow, in registration order.
  void add_observer(FlowObserver* o) { observers_.push_back(o); }

  const DctcpConfig& config() const { return cfg_; }
  DctcpStack& stack(uint32_t host_index) { return *stacks_.at(host_index); }
  size_t num_flows() const { return flows_.size(); }
  const DctcpFlow& flow(uint64_t id) const { return flows_.at(id); }
  const std::deque<DctcpFlow>& flows() const { return flows_; }
  uint64_t completed() const { return completed_; }
  // Sum of every stack's counters.
  DctcpStackCounters totals() const;

  void on_event(uint32_t kind, void* ptr, uint64_t arg) override;
  // A data segment queued by send_segment, built when the host's NIC takes it.
  tlm::tlm_generic_payload* build_frame(uint64_t flow, uint64_t packed) override;

 private:
  friend class DctcpStack;
  enum Kind : uint32_t { ev_start = 0, ev_rto = 1, ev_delack = 2 };

  void begin(DctcpFlow& f);
  void try_send(DctcpFlow& f);
  void send_segment(DctcpFlow& f, uint64_t offset, bool retransmit);
  void send_ack(DctcpFlow& f, uint64_t ack, bool ece);
  void on_ack(DctcpFlow& f, const DecodedPacket& d);
  void on_data(DctcpFlow& f, const DecodedPacket& d);
  void on_timeout(DctcpFlow& f);
  void arm_rto(DctcpFlow& f);
  void rtt_sample(DctcpFlow& f, ps_t rtt);
  void finish(DctcpFlow& f);
  DctcpStack& stack_of(Host& h);
  UdpAddressing addressing(const Host& from, const Host& to, bool ect) const;

  Fabric& fabric_;
  DctcpConfig cfg_;
  DctcpLaw law_;  // the window law with this configuration's gain, segment and floor (two segments)
  std::vector<std::unique_ptr<DctcpStack>> stacks_;  // indexed by host index (null: no stack)
  std::deque<DctcpFlow> flows_;                      // id = index; stable addresses
  std::vector<FlowObserver*> observers_;
  uint64_t completed_ = 0;
  ps_t min_rto_ps_, max_rto_ps_, delack_ps_;
};

}  // namespace panama
