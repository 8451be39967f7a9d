// Test stub for the accelerator's ports: injects given frames on given ports at given times (honouring
// backpressure) and records every frame the accelerator emits, with its lane and arrival time.
#pragma once

#include "common/event_queue.h"
#include "common/packet_pool.h"
#include "protocol/packet.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstring>
#include <deque>
#include <vector>

namespace panama::test {

using Bytes = std::vector<uint8_t>;

// An fp32/bf16/fp16 contribution frame with raw element bit patterns.
inline Bytes contribution(uint16_t job, uint8_t tree, uint32_t seq, uint16_t worker, const std::vector<uint32_t>& elems,
                          ElementType type = ElementType::fp32, uint8_t ecn = kEcnEct0, uint16_t cwnd_cap = 0xffff,
                          uint8_t flags = 0, uint16_t fan_in = 2) {
  Bytes f(PacketPool::kBufferBytes);
  AggregationAddressing a;
  a.src_mac = node_mac(worker + 1);
  a.src_ip = 0x0a000001u + worker;
  a.dst_ip = 0xef010000u | (uint32_t(job & 0xff) << 8) | tree;
  a.ecn = ecn;
  PanamaHeader h;
  h.type = type;
  h.tree = tree;
  h.job = job;
  h.fan_in = fan_in;
  h.seq = seq;
  h.cwnd_cap = cwnd_cap;
  h.count = uint16_t(elems.size());
  h.worker = worker;
  h.flags = flags;
  size_t n = encode_aggregation(f.data(), f.size(), a, h, nullptr);
  for (size_t i = 0; i < elems.size(); ++i) {
    if (type == ElementType::fp32) store_be32(f.data() + kElementsOffset + 4 * i, elems[i]);
    else store_be16(f.data() + kElementsOffset + 2 * i, uint16_t(elems[i]));
  }
  f.resize(n);
  return f;
}

class FrameInjector : public sc_core::sc_module, public EventHandler {
 public:
  tlm_utils::multi_passthrough_initiator_socket<FrameInjector> out;
  tlm_utils::multi_passthrough_target_socket<FrameInjector> in;

  struct Received {
    uint32_t lane;
    ps_t at;
    Bytes bytes;
  };
  std::vector<Received> received;
  uint64_t held = 0;  // frames the accelerator held back (TLM_ACCEPTED)

  explicit FrameInjector(const sc_core::sc_module_name& name, uint32_t ports)
      : sc_module(name), out("out"), in("in"), events_("events"), queues_(ports), waiting_(ports, false) {
    out.register_nb_transport_bw(this, &FrameInjector::bw);
    in.register_nb_transport_fw(this, &FrameInjector::fw);
  }

  void inject(ps_t at, uint32_t port, Bytes frame) {
    frames_.push_back(Pending{port, std::move(frame)});
    events_.schedule(at, this, 0, nullptr, frames_.size() - 1);
  }

  void on_event(uint32_t, void*, uint64_t arg) override {
    const Pending& p = frames_[arg];
    queues_[p.port].push_back(arg);
    pump(p.port);
  }

 private:
  struct Pending {
    uint32_t port;
    Bytes frame;
  };
  void pump(uint32_t port) {
    while (!waiting_[port] && !queues_[port].empty()) {
      const Pending& p = frames_[queues_[port].front()];
      queues_[port].pop_front();
      tlm::tlm_generic_payload* gp = PacketPool::instance().allocate(p.frame.size());
      std::memcpy(gp->get_data_ptr(), p.frame.data(), p.frame.size());
      gp->set_data_length(uint32_t(p.frame.size()));
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      if (out[port]->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED) {
        waiting_[port] = true;
        ++held;
      }
      gp->release();
    }
  }
  tlm::tlm_sync_enum bw(int port, tlm::tlm_generic_payload&, tlm::tlm_phase& ph, sc_core::sc_time&) {
    if (ph == tlm::BEGIN_RESP) {
      waiting_[size_t(port)] = false;
      pump(uint32_t(port));
    }
    return tlm::TLM_COMPLETED;
  }
  tlm::tlm_sync_enum fw(int lane, tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time&) {
    if (ph == tlm::BEGIN_REQ)
      received.push_back(Received{uint32_t(lane), to_ps(sc_core::sc_time_stamp()),
                                  Bytes(gp.get_data_ptr(), gp.get_data_ptr() + gp.get_data_length())});
    return tlm::TLM_COMPLETED;
  }

  EventQueue events_;
  std::vector<Pending> frames_;
  std::vector<std::deque<uint64_t>> queues_;
  std::vector<bool> waiting_;
};

}  // namespace panama::test
