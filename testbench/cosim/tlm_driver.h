// TLM side of the co-simulation: one initiator port per child towards the accelerator's rx sockets
// (frames injected at given times, honouring the link protocol's backpressure) and a target socket
// bound to its tx lanes that records every frame the accelerator emits, with lane and time.
// Modelled on tests/support/frame_injector.h.
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
#include <string>
#include <vector>

namespace panama::cosim {

class TlmDriver : public sc_core::sc_module, public EventHandler {
 public:
  tlm_utils::multi_passthrough_initiator_socket<TlmDriver> out;
  tlm_utils::multi_passthrough_target_socket<TlmDriver> in;

  struct Received {
    uint32_t lane;
    ps_t at;  // the frame's last bit arrived (the accelerator's transmit)
    std::vector<uint8_t> bytes;
  };
  std::vector<Received> received;
  uint64_t held = 0;  // frames the accelerator held back (TLM_ACCEPTED)

  TlmDriver(const sc_core::sc_module_name& name, uint32_t ports)
      : sc_module(name), out("out"), in("in"), events_("events"), queues_(ports), waiting_(ports, false) {
    out.register_nb_transport_bw(this, &TlmDriver::bw);
    in.register_nb_transport_fw(this, &TlmDriver::fw);
  }

  // Schedules `frame` (wire bytes, kept by reference: it must outlive the simulation) on `port` at `at`.
  void inject(ps_t at, uint32_t port, const std::vector<uint8_t>* frame) {
    frames_.push_back(Pending{port, frame});
    events_.schedule(at, this, 0, nullptr, frames_.size() - 1);
  }

  // Records, in [from_ps, to_ps), the seq of each result frame and its element `watch` (binary32 bits).
  void trace(sc_core::sc_trace_file* tf, ps_t from_ps, ps_t to_ps, uint32_t watch) {
    sc_core::sc_trace(tf, tv_seq_, std::string(name()) + ".result_seq");
    sc_core::sc_trace(tf, tv_elem_, std::string(name()) + ".result_element_" + std::to_string(watch));
    tracing_ = true;
    from_ = from_ps;
    to_ = to_ps;
    watch_ = watch;
  }

  void on_event(uint32_t, void*, uint64_t arg) override {
    queues_[frames_[arg].port].push_back(arg);
    pump(frames_[arg].port);
  }

 private:
  struct Pending {
    uint32_t port;
    const std::vector<uint8_t>* frame;
  };
  void pump(uint32_t port) {
    while (!waiting_[port] && !queues_[port].empty()) {
      const Pending& p = frames_[queues_[port].front()];
      queues_[port].pop_front();
      tlm::tlm_generic_payload* gp = PacketPool::instance().allocate();
      std::memcpy(gp->get_data_ptr(), p.frame->data(), p.frame->size());
      gp->set_data_length(uint32_t(p.frame->size()));
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
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    const ps_t now = to_ps(sc_core::sc_time_stamp());
    received.push_back(Received{uint32_t(lane), now,
                                std::vector<uint8_t>(gp.get_data_ptr(), gp.get_data_ptr() + gp.get_data_length())});
    const std::vector<uint8_t>& b = received.back().bytes;
    if (tracing_ && now >= from_ && now < to_ && b.size() >= kElementsOffset + 4 * (size_t(watch_) + 1)) {
      tv_seq_ = decode(b.data(), b.size()).hdr.seq;
      tv_elem_ = load_be32(b.data() + kElementsOffset + 4 * size_t(watch_));
    }
    return tlm::TLM_COMPLETED;
  }

  EventQueue events_;
  std::vector<Pending> frames_;
  std::vector<std::deque<uint64_t>> queues_;
  std::vector<bool> waiting_;
  bool tracing_ = false;
  ps_t from_ = 0, to_ = 0;
  uint32_t watch_ = 0, tv_seq_ = 0, tv_elem_ = 0;
};

}  // namespace panama::cosim
