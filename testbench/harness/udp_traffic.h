// Constant-rate UDP traffic for fabric tests and benches: a source that sends `count` frames of a given
// size from one host to another at a share of its line rate, in the lossy or the lossless class, and a
// sink that counts what arrives (frames, bytes, first and last arrival).
#pragma once

#include "network/host.h"

#include <cstdint>
#include <vector>

namespace panama {

struct UdpFlowSpec {
  uint32_t dst_host = 1;
  uint16_t src_port = 1000, dst_port = 2000;
  uint64_t count = 1;          // frames
  uint32_t frame_bytes = kMtuFrameBytes; // Ethernet frame without FCS
  double rate_gbps = 0;        // 0 = the host's line rate
  bool lossless = false;       // DSCP 0x38: rides the PFC-protected class
  ps_t start_ps = 0;
};

class UdpSource : public EventHandler {
 public:
  UdpSource(Host& host, const UdpFlowSpec& spec);
  uint64_t sent() const { return sent_; }
  void on_event(uint32_t, void*, uint64_t) override;

 private:
  Host& host_;
  UdpFlowSpec spec_;
  ps_t gap_ps_;
  uint64_t sent_ = 0;
};

class CountingSink : public HostReceiver {
 public:
  void on_packet(Host& host, tlm::tlm_generic_payload& gp, const DecodedPacket& d) override;
  uint64_t frames = 0, bytes = 0;
  ps_t first_ps = 0, last_ps = 0;
  std::vector<ps_t> arrivals;  // kept only when record_arrivals is set
  bool record_arrivals = false;
};

}  // namespace panama
