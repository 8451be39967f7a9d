// libFuzzer target: the packet decoder (protocol/packet.h) on arbitrary bytes. decode() must never read
// outside the frame (the frame is an exact-size copy, so AddressSanitizer sees one byte too many), and what
// it accepts must agree with the encoder and survive the accelerator's in-place header edits.
#include "protocol/packet.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace panama;

namespace {
// A failed property is a crash, which is what libFuzzer reports (with the input that caused it).
void require(bool ok) {
  if (!ok) std::abort();
}

bool same_header(const PanamaHeader& a, const PanamaHeader& b) {
  return a.version == b.version && a.flags == b.flags && a.type == b.type && a.tree == b.tree && a.job == b.job &&
         a.fan_in == b.fan_in && a.seq == b.seq && a.cwnd_cap == b.cwnd_cap && a.count == b.count &&
         a.iteration == b.iteration && a.worker == b.worker;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> frame(data, data + size);
  const DecodedPacket d = decode(frame.data(), frame.size());

  PfcFrame pfc;
  (void)decode_pfc(frame.data(), frame.size(), pfc);
  // The forwarding path's view, within the contract of each accessor.
  const HeaderView v(frame.data(), frame.size());
  if (v.ipv4()) {
    (void)v.dscp();
    (void)v.ip_total_length();
    if (v.ip_header_valid()) {
      (void)v.ip_checksum_ok();
      if (v.has_ports()) (void)flow_hash(v.src_ip(), v.dst_ip(), v.protocol(), v.src_port(), v.dst_port(), 7);
    }
  }
  (void)v.panama();
  (void)v.panama_result();
  // The switch steers to the accelerator what decode() accepts as aggregation, and nothing it calls malformed
  // for a reason the header view can see.
  if (d.cls == PacketClass::aggregation) require(v.panama());

  if (d.cls == PacketClass::aggregation) {
    // Re-encoding the decoded fields gives a frame that decodes to the same header.
    const size_t elem_bytes = size_t(d.hdr.count) * element_bytes(d.hdr.type);
    require(kElementsOffset + elem_bytes <= frame.size());
    AggregationAddressing a;
    a.src_ip = d.src_ip;
    a.dst_ip = d.dst_ip;
    a.src_port = d.src_port;
    a.ecn = d.ecn;
    std::vector<uint8_t> again(kMaxFrameBytes + 64);
    const size_t n = encode_aggregation(again.data(), again.size(), a, d.hdr, frame.data() + kElementsOffset);
    again.resize(n);
    const DecodedPacket e = decode(again.data(), again.size());
    require(e.cls == PacketClass::aggregation && same_header(e.hdr, d.hdr));
    // The accelerator's rewrites keep the frame valid (the IPv4 checksum is updated in place).
    set_ecn(frame.data(), kEcnCe);
    set_cwnd_cap(frame.data(), 17);
    set_flags(frame.data(), kFlagResult);
    const DecodedPacket f = decode(frame.data(), frame.size());
    require(f.cls == PacketClass::aggregation && f.ecn == kEcnCe && f.hdr.cwnd_cap == 17 && get_ecn(frame.data()) == kEcnCe);
  } else if (d.cls == PacketClass::ipv4_other) {
    set_ecn(frame.data(), kEcnEct1);
    const DecodedPacket f = decode(frame.data(), frame.size());
    require(f.cls == PacketClass::ipv4_other && f.ecn == kEcnEct1);
  }
  return 0;
}
