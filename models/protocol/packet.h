// The PANAMA packet format as wire bytes: Ethernet II / IPv4 / UDP / PANAMA header / elements.
// This is the only place that knows field offsets; every model encodes and decodes through it.
// Field-by-field layout: docs/packet-format.md.
#pragma once

#include "protocol/drop_reason.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace panama {

// Header sizes and Ethernet wire overhead.
constexpr size_t kEthHeaderBytes = 14;
constexpr size_t kIpv4HeaderBytes = 20;
constexpr size_t kUdpHeaderBytes = 8;
constexpr size_t kPanamaHeaderBytes = 24;
constexpr size_t kIpOffset = kEthHeaderBytes;
constexpr size_t kUdpOffset = kIpOffset + kIpv4HeaderBytes;
constexpr size_t kPanamaOffset = kUdpOffset + kUdpHeaderBytes;
constexpr size_t kElementsOffset = kPanamaOffset + kPanamaHeaderBytes;  // 66
// Bytes a frame costs on the wire beyond the frame itself: preamble + SFD (8), FCS (4), inter-frame gap (12).
constexpr size_t kEthWireOverheadBytes = 24;
constexpr size_t kEthMinFrameBytes = 60;  // without FCS
constexpr size_t kMaxFrameBytes = kEthHeaderBytes + 9000;
// The standard Ethernet MTU (the largest IP packet the hosts send), its frame without FCS and what that
// frame costs on the wire: 1500, 1514 and 1538 bytes.
constexpr size_t kMtuBytes = 1500;
constexpr size_t kMtuFrameBytes = kEthHeaderBytes + kMtuBytes;
constexpr size_t kMtuWireBytes = kMtuFrameBytes + kEthWireOverheadBytes;

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint8_t kIpProtoUdp = 17;
constexpr uint8_t kPanamaDscp = 0x38;       // aggregation traffic class (prototype's later version)
constexpr uint16_t kPanamaUdpPort = 50000;  // UDP destination port of aggregation packets
constexpr uint8_t kPanamaVersion = 1;

// PANAMA header flags.
constexpr uint8_t kFlagResult = 0x01;      // aggregated result travelling down the tree
constexpr uint8_t kFlagRetransmit = 0x02;  // contribution re-sent after a timeout

// ECN codepoints (RFC 3168).
constexpr uint8_t kEcnNotEct = 0, kEcnEct1 = 1, kEcnEct0 = 2, kEcnCe = 3;

enum class ElementType : uint8_t { fp32 = 0, bf16 = 1, fp16 = 2 };
constexpr uint32_t element_bytes(ElementType t) { return t == ElementType::fp32 ? 4 : 2; }
bool valid_element_type(uint8_t code);
const char* element_type_name(ElementType t);

// Elements that fit one packet whose IP datagram is at most `mtu` bytes.
constexpr uint32_t max_elements_for_mtu(uint32_t mtu, ElementType t) {
  return uint32_t((mtu - kIpv4HeaderBytes - kUdpHeaderBytes - kPanamaHeaderBytes) / element_bytes(t));
}
// Frame bytes (without FCS) of an aggregation packet with `count` elements.
constexpr size_t aggregation_frame_bytes(uint32_t count, ElementType t) {
  size_t n = kElementsOffset + size_t(count) * element_bytes(t);
  return n < kEthMinFrameBytes ? kEthMinFrameBytes : n;
}

using MacAddr = std::array<uint8_t, 6>;
using Ipv4Addr = uint32_t;
// Addressing of a fabric: host i is 10.0.0.1 + i; the aggregation tree `tree` of job `job` is the
// administratively scoped multicast group 239.<job high byte>.<job low byte>.<tree>.
constexpr Ipv4Addr host_ip(uint32_t index) { return 0x0a000001u + index; }
constexpr uint32_t host_index(Ipv4Addr ip) { return ip - 0x0a000001u; }
constexpr Ipv4Addr group_ip(uint16_t job, uint8_t tree) { return 0xef000000u | (uint32_t(job) << 8) | tree; }
constexpr bool is_multicast(Ipv4Addr ip) { return (ip & 0xf0000000u) == 0xe0000000u; }  // 224.0.0.0/4
// RFC 1112 mapping of an IPv4 multicast group to its Ethernet address.
MacAddr multicast_mac(Ipv4Addr group);
// Locally administered unicast MAC of a node id.
inline MacAddr node_mac(uint32_t node_id) {
  return {0x02, 0x00, uint8_t(node_id >> 24), uint8_t(node_id >> 16), uint8_t(node_id >> 8), uint8_t(node_id)};
}

struct PanamaHeader {
  uint8_t version = kPanamaVersion;
  uint8_t flags = 0;
  ElementType type = ElementType::fp32;
  uint8_t tree = 0;         // aggregation tree id within the job
  uint16_t job = 0;         // job id
  uint16_t fan_in = 0;      // number of workers whose contributions the final result sums
  uint32_t seq = 0;         // slot: packet index within the gradient vector (elements at seq * per-packet)
  uint16_t cwnd_cap = 0xffff;  // smallest free per-job packet memory on the path
  uint16_t count = 0;       // elements in this packet
  uint32_t iteration = 0;   // training iteration the gradient belongs to
  uint16_t worker = 0;      // sending worker (contributions) or 0xffff (results)
};

// The aggregation slot a contribution belongs to, and its 64-bit key in an accelerator's slot table: job
// in bits 48-63, tree in 40-47, the iteration's low 8 bits in 32-39 (they tell a slot from the same
// sequence number one iteration later), sequence number in 0-31.
struct SlotKey {
  uint16_t job;
  uint8_t tree;
  uint8_t iteration;
  uint32_t seq;
  static SlotKey of(const PanamaHeader& h) { return {h.job, h.tree, uint8_t(h.iteration), h.seq}; }
  static SlotKey unpack(uint64_t key) {
    return {uint16_t(key >> 48), uint8_t(key >> 40), uint8_t(key >> 32), uint32_t(key)};
  }
  uint64_t packed() const {
    return (uint64_t(job) << 48) | (uint64_t(tree) << 40) | (uint64_t(iteration) << 32) | uint64_t(seq);
  }
};

// What an aggregation packet carries besides its PANAMA header and elements.
struct AggregationAddressing {
  MacAddr src_mac{};
  MacAddr dst_mac{};    // zero: derived from the multicast destination
  Ipv4Addr src_ip = 0;
  Ipv4Addr dst_ip = 0;  // the tree's multicast address
  uint16_t src_port = kPanamaUdpPort;
  uint16_t ip_id = 0;
  uint8_t ttl = 64;
  uint8_t ecn = kEcnEct0;
};

// Writes the headers of an aggregation packet into `buf` (capacity `cap`) and returns the frame length.
// Element bytes (network order) are copied from `elements` when it is not null, otherwise left for the
// caller to fill at buf + kElementsOffset. Throws std::length_error if the frame does not fit.
size_t encode_aggregation(uint8_t* buf, size_t cap, const AggregationAddressing& a, const PanamaHeader& h,
                          const uint8_t* elements);

// Generic IPv4 + UDP frame with an opaque payload of `payload_bytes` (zero-filled when `payload` is null).
struct UdpAddressing {
  MacAddr src_mac{}, dst_mac{};
  Ipv4Addr src_ip = 0, dst_ip = 0;
  uint16_t src_port = 0, dst_port = 0;
  uint8_t dscp = 0, ecn = kEcnNotEct, ttl = 64;
  uint16_t ip_id = 0;
};
size_t encode_udp(uint8_t* buf, size_t cap, const UdpAddressing& a, const uint8_t* payload, size_t payload_bytes);

// TCP (RFC 793 / 3168). Segments are 20-byte headers without options; payload bytes are zeros (the model
// carries no application data), so the checksum covers pseudo-header and header only and stays valid.
constexpr uint8_t kIpProtoTcp = 6;
constexpr size_t kTcpHeaderBytes = 20;
// The frame of a segment of `payload_bytes`: Ethernet, IPv4 and TCP headers and the payload, padded to
// the Ethernet minimum.
constexpr size_t tcp_frame_bytes(size_t payload_bytes) {
  const size_t frame = kEthHeaderBytes + kIpv4HeaderBytes + kTcpHeaderBytes + payload_bytes;
  return frame < kEthMinFrameBytes ? kEthMinFrameBytes : frame;
}
// What it costs on the wire: the frame plus preamble, FCS and inter-frame gap.
constexpr size_t tcp_wire_bytes(size_t payload_bytes) { return tcp_frame_bytes(payload_bytes) + kEthWireOverheadBytes; }
constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08, kTcpAck = 0x10, kTcpEce = 0x40,
                  kTcpCwr = 0x80;
struct TcpSegment {
  uint16_t src_port = 0, dst_port = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0xffff;
};
// IPv4 + TCP frame with `payload_bytes` of zeros. `zero_from`: the buffer is already zero at and beyond
// this offset (a clean-tail pooled packet), so those bytes are not written again.
size_t encode_tcp(uint8_t* buf, size_t cap, const UdpAddressing& ip, const TcpSegment& seg, size_t payload_bytes,
                  size_t zero_from = SIZE_MAX);

// IEEE 802.1Qbb priority flow control frame (MAC control, opcode 0x0101): one pause time (in quanta of
// 512 bit times) per priority, applied to the priorities whose bit is set in `class_enable`.
constexpr uint16_t kEtherTypeMacControl = 0x8808;
constexpr uint16_t kPfcOpcode = 0x0101;
constexpr MacAddr kPfcDestination = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x01};
size_t encode_pfc(uint8_t* buf, size_t cap, const MacAddr& src, uint8_t class_enable, const uint16_t quanta[8]);
struct PfcFrame {
  uint8_t class_enable = 0;
  uint16_t quanta[8] = {};
};
// True (and fills `out`) when the frame is a well-formed PFC frame.
bool decode_pfc(const uint8_t* frame, size_t len, PfcFrame& out);

// ECMP: a 5-tuple hash with a per-switch seed (so that tiers do not polarise).
uint32_t flow_hash(Ipv4Addr src, Ipv4Addr dst, uint8_t proto, uint16_t sport, uint16_t dport, uint32_t seed);

enum class PacketClass : uint8_t { aggregation, ipv4_other, non_ipv4, malformed };

struct DecodedPacket {
  PacketClass cls = PacketClass::malformed;
  DropReason reason = DropReason::truncated;  // meaningful when cls == malformed
  uint8_t dscp = 0, ecn = 0, ip_proto = 0;
  Ipv4Addr src_ip = 0, dst_ip = 0;
  uint16_t src_port = 0, dst_port = 0;
  uint16_t ip_total = 0;  // IPv4 total length
  PanamaHeader hdr;  // meaningful when cls == aggregation
  TcpSegment tcp;    // meaningful when ip_proto == kIpProtoTcp
  uint16_t tcp_payload = 0;
};

// Classifies and validates a frame. Never reads outside [frame, frame + len).
DecodedPacket decode(const uint8_t* frame, size_t len);

// RFC 1071 checksum of an IPv4 header of `len` bytes (with its checksum field as stored).
uint16_t ipv4_checksum(const uint8_t* hdr, size_t len);

// In-place edits of an encoded frame (the accelerator's header rewrite). The frame must have been
// accepted by decode() as IPv4; each keeps the IPv4 header checksum valid.
void set_ecn(uint8_t* frame, uint8_t ecn);
uint8_t get_ecn(const uint8_t* frame);
void set_cwnd_cap(uint8_t* frame, uint16_t cap);
void set_flags(uint8_t* frame, uint8_t flags);
uint8_t get_flags(const uint8_t* frame);

// Big-endian element access (elements are in network byte order on the wire).
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline uint16_t load_be16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24); p[1] = uint8_t(v >> 16); p[2] = uint8_t(v >> 8); p[3] = uint8_t(v);
}
inline void store_be16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8); p[1] = uint8_t(v); }

// The header fields a forwarding path reads (switch, PSwitch bypass, host NIC classification), without
// the cost of a full decode(): the one place outside encode/decode that knows their offsets. Only
// ipv4() may be called on any frame; the IPv4 accessors need ipv4(), the ports need has_ports(), and
// the PANAMA ones need panama().
class HeaderView {
 public:
  HeaderView(const uint8_t* frame, size_t len) : f_(frame), len_(len) {}
  // EtherType IPv4 and room for a minimal IPv4 header.
  bool ipv4() const { return len_ >= kIpOffset + kIpv4HeaderBytes && load_be16(f_ + 12) == kEtherTypeIpv4; }
  size_t ip_header_bytes() const { return size_t(f_[kIpOffset] & 0x0f) * 4; }
  // Version 4 and an IHL that fits the frame.
  bool ip_header_valid() const {
    return (f_[kIpOffset] >> 4) == 4 && ip_header_bytes() >= kIpv4HeaderBytes && kIpOffset + ip_header_bytes() <= len_;
  }
  bool ip_checksum_ok() const {
    if (ip_header_bytes() != kIpv4HeaderBytes) return ipv4_checksum(f_ + kIpOffset, ip_header_bytes()) == 0;
    // A header without options (nearly every one; a switch checks it on every hop): the one's-complement
    // sum of its ten 16-bit words is 0xffff. Five 32-bit words summed and folded give that sum (in either
    // byte order), inline instead of a call and a folding loop.
    uint32_t w[5];
    std::memcpy(w, f_ + kIpOffset, sizeof w);
    uint64_t sum = uint64_t(w[0]) + w[1] + w[2] + w[3] + w[4];
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return (sum & 0xffffu) + (sum >> 16) == 0xffffu;
  }
  uint8_t dscp() const { return f_[kIpOffset + 1] >> 2; }
  uint8_t ecn() const { return f_[kIpOffset + 1] & 3; }
  uint16_t ip_total_length() const { return load_be16(f_ + kIpOffset + 2); }
  uint8_t protocol() const { return f_[kIpOffset + 9]; }
  Ipv4Addr src_ip() const { return load_be32(f_ + kIpOffset + 12); }
  Ipv4Addr dst_ip() const { return load_be32(f_ + kIpOffset + 16); }
  // UDP or TCP with both ports inside the frame (after an IHL-sized IPv4 header).
  bool has_ports() const {
    return (protocol() == kIpProtoUdp || protocol() == kIpProtoTcp) && kIpOffset + ip_header_bytes() + 4 <= len_;
  }
  // A pure TCP ACK: a 40-byte datagram (IPv4 and TCP headers, no options, no payload).
  bool tcp_pure_ack() const {
    return protocol() == kIpProtoTcp && ip_total_length() == kIpv4HeaderBytes + kTcpHeaderBytes;
  }
  uint16_t src_port() const { return load_be16(f_ + kIpOffset + ip_header_bytes()); }
  uint16_t dst_port() const { return load_be16(f_ + kIpOffset + ip_header_bytes() + 2); }
  // A PANAMA aggregation packet as a PSwitch steers it to its accelerator: IPv4 without options, DSCP
  // 0x38, UDP to the PANAMA port (the accelerator's parser validates the rest, and drops with a reason).
  bool panama() const {
    return len_ >= kPanamaOffset && ipv4() && ip_header_bytes() == kIpv4HeaderBytes && dscp() == kPanamaDscp &&
           protocol() == kIpProtoUdp && load_be16(f_ + kUdpOffset + 2) == kPanamaUdpPort;
  }
  // The PANAMA header's result flag (a result travels down its tree), where the frame holds it.
  bool panama_result() const { return len_ >= kPanamaOffset + 2 && (f_[kPanamaOffset + 1] & kFlagResult); }

 private:
  const uint8_t* f_;
  size_t len_;
};

}  // namespace panama
