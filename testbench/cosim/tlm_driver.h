// TLM side of the co-simulation: the FrameInjector port stub (one initiator port per child towards the
// accelerator's rx sockets, a target bound to its tx lanes) plus a VCD trace of the result frames.
#pragma once

#include "harness/frame_injector.h"
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

class TlmDriver : public FrameInjector {
 public:
  TlmDriver(const sc_core::sc_module_name& name, uint32_t ports) : FrameInjector(name, ports) {}

  using sc_core::sc_object::trace;  // (sc_object's own overload stays visible beside the windowed one)
  // Records, in [from_ps, to_ps), the seq of each result frame and its element `watch` (binary32 bits).
  void trace(sc_core::sc_trace_file* tf, ps_t from_ps, ps_t to_ps, uint32_t watch) {
    sc_core::sc_trace(tf, tv_seq_, std::string(name()) + ".result_seq");
    sc_core::sc_trace(tf, tv_elem_, std::string(name()) + ".result_element_" + std::to_string(watch));
    tracing_ = true;
    from_ = from_ps;
    to_ = to_ps;
    watch_ = watch;
  }

 protected:
  void on_received(const Received& r) override {
    const Bytes& b = r.bytes;
    if (tracing_ && r.at >= from_ && r.at < to_ && b.size() >= kElementsOffset + 4 * (size_t(watch_) + 1)) {
      tv_seq_ = decode(b.data(), b.size()).hdr.seq;
      tv_elem_ = load_be32(b.data() + kElementsOffset + 4 * size_t(watch_));
    }
  }

 private:
  bool tracing_ = false;
  ps_t from_ = 0, to_ = 0;
  uint32_t watch_ = 0, tv_seq_ = 0, tv_elem_ = 0;
};

}  // namespace panama::cosim
