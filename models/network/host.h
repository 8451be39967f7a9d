// Host: a server with one NIC port. The NIC keeps an egress queue per traffic class (host memory: not
// bounded), obeys PFC PAUSE from its ToR, and hands every received IPv4 frame, validated by the packet
// decoder, to the transport stack registered with it.
#pragma once

#include "network/egress_port.h"
#include "network/net_node.h"
#include "common/ring_queue.h"
#include "protocol/packet.h"

#include <unordered_map>
#include <vector>

namespace panama {

class Host;

class HostReceiver {
 public:
  virtual ~HostReceiver() = default;
  // `gp` is valid during the call only (acquire it to keep it).
  virtual void on_packet(Host& host, tlm::tlm_generic_payload& gp, const DecodedPacket& d) = 0;
};

class Host : public NetNode {
 public:
  Host(const sc_core::sc_module_name& name, NetContext& ctx, uint32_t id, uint32_t index);

  uint32_t index() const { return index_; }
  Ipv4Addr ip() const { return host_ip(index_); }
  // Sends a frame (takes the caller's reference). Its class follows its DSCP.
  void send(tlm::tlm_generic_payload* gp);
  void set_receiver(HostReceiver* r) { receiver_ = r; }
  HostReceiver* receiver() const { return receiver_; }
  void receive(uint32_t port, tlm::tlm_generic_payload& gp) override;
  void on_transmit(uint32_t port, tlm::tlm_generic_payload& gp, uint8_t tc, uint32_t tag) override;

  uint64_t nic_queue_bytes() const { return num_ports() ? port(0).total_bytes() : 0; }
  uint64_t frames_received() const { return received_; }

 private:
  void feed_lossy();

  uint32_t index_;
  HostReceiver* receiver_ = nullptr;
  uint64_t received_ = 0;
  // Per-flow fair queueing above the NIC for the lossy class (as Linux's fq qdisc): each flow (5-tuple)
  // has its own FIFO, served round robin, and the NIC's lossy FIFO holds at most two frames. Without it a
  // large flow's window waits in the NIC's FIFO and every short flow of the host waits behind it.
  std::unordered_map<uint64_t, uint32_t> fq_slot_;
  std::vector<RingQueue<tlm::tlm_generic_payload*>> fq_;
  RingQueue<uint32_t> fq_round_;
  uint32_t nic_lossy_ = 0;
};

}  // namespace panama
