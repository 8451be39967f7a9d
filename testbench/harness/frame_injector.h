// A stub for an accelerator's ports (tests, co-simulation): injects given frames on given ports at given
// times, honouring the link protocol's backpressure (TLM_ACCEPTED, then BEGIN_RESP), and records every
// frame the accelerator emits with its lane and the time its last bit arrived.
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
#include <memory>
#include <vector>

namespace panama {

class FrameInjector : public sc_core::sc_module, public EventHandler {
 public:
  using Bytes = std::vector<uint8_t>;
  tlm_utils::multi_passthrough_initiator_socket<FrameInjector> out;
  tlm_utils::multi_passthrough_target_socket<FrameInjector> in;

  struct Received {
    uint32_t lane;
    ps_t at;
    Bytes bytes;
  };
  std::vector<Received> received;
  uint64_t held = 0;  // frames the accelerator held back (TLM_ACCEPTED)

  FrameInjector(const sc_core::sc_module_name& name, uint32_t ports)
      : sc_module(name), out("out"), in("in"), events_("events"), queues_(ports), waiting_(ports, false) {
    out.register_nb_transport_bw(this, &FrameInjector::bw);
    in.register_nb_transport_fw(this, &FrameInjector::fw);
  }

  // Sends a copy of `frame` on `port` at `at` (after any frame still held on that port).
  void inject(ps_t at, uint32_t port, Bytes frame) {
    owned_.push_back(std::make_unique<Bytes>(std::move(frame)));
    inject(at, port, owned_.back().get());
  }
  // The same for a frame the caller keeps alive until the simulation ends.
  void inject(ps_t at, uint32_t port, const Bytes* frame) {
    frames_.push_back(Pending{port, frame});
    events_.schedule(at, this, 0, nullptr, frames_.size() - 1);
  }

  void on_event(uint32_t, void*, uint64_t arg) override {
    queues_[frames_[arg].port].push_back(arg);
    pump(frames_[arg].port);
  }

 protected:
  // Called after each emitted frame is recorded (received.back()).
  virtual void on_received(const Received&) {}

 private:
  struct Pending {
    uint32_t port;
    const Bytes* frame;
  };
  void pump(uint32_t port) {
    while (!waiting_[port] && !queues_[port].empty()) {
      const Pending& p = frames_[queues_[port].front()];
      queues_[port].pop_front();
      tlm::tlm_generic_payload* gp = PacketPool::instance().allocate(p.frame->size());
      std::memcpy(gp->get_data_ptr(), p.frame->data(), p.frame->size());
      gp->set_data_length(uint32_t(p.frame->size()));
      tlm::tlm_phase ph = tlm::BEGIN_REQ;
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      if (out[int(port)]->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED) {
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
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    received.push_back(Received{uint32_t(lane), to_ps(sc_core::sc_time_stamp()),
                                Bytes(gp.get_data_ptr(), gp.get_data_ptr() + gp.get_data_length())});
    on_received(received.back());
    return tlm::TLM_COMPLETED;
  }

  EventQueue events_;
  std::vector<Pending> frames_;
  std::vector<std::unique_ptr<Bytes>> owned_;
  std::vector<std::deque<uint64_t>> queues_;
  std::vector<bool> waiting_;
};

}  // namespace panama
