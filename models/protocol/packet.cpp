#include "protocol/packet.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace panama {

bool valid_element_type(uint8_t code) { return code <= uint8_t(ElementType::fp16); }

const char* element_type_name(ElementType t) {
  switch (t) {
    case ElementType::fp32: return "fp32";
    case ElementType::bf16: return "bf16";
    case ElementType::fp16: return "fp16";
  }
  return "?";
}

MacAddr multicast_mac(Ipv4Addr group) {
  return {0x01, 0x00, 0x5e, uint8_t((group >> 16) & 0x7f), uint8_t(group >> 8), uint8_t(group)};
}

// RFC 1071, summed 32 bits at a time in host byte order: the ones' complement sum is independent of byte
// order up to a final swap (RFC 1071 section 2(B)), and carries out of the low half are folded back in.
// Every switch verifies the header of every frame, so this runs once per hop. A trailing odd byte is not
// summed (IPv4 headers are multiples of 4 bytes).
uint16_t ipv4_checksum(const uint8_t* hdr, size_t len) {
  uint64_t sum = 0;
  size_t i = 0;
  if (len == 20) {  // no options (nearly every header): five words, unrolled
    uint32_t w[5];
    std::memcpy(w, hdr, 20);
    sum = uint64_t(w[0]) + w[1] + w[2] + w[3] + w[4];
    i = 20;
  }
  for (; i + 4 <= len; i += 4) {
    uint32_t w;
    std::memcpy(&w, hdr + i, 4);
    sum += w;
  }
  for (; i + 1 < len; i += 2) {
    uint16_t w;
    std::memcpy(&w, hdr + i, 2);
    sum += w;
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t s = uint16_t(sum);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  s = uint16_t((s >> 8) | (s << 8));
#endif
  return uint16_t(~s);
}

namespace {

void write_eth(uint8_t* b, const MacAddr& dst, const MacAddr& src) {
  std::memcpy(b, dst.data(), 6);
  std::memcpy(b + 6, src.data(), 6);
  store_be16(b + 12, kEtherTypeIpv4);
}

// The ones' complement of the ones' complement sum of `sum`'s 16-bit words (RFC 1071), for checksums
// summed from the field values being written. Reading the header back instead waited, for a frame
// built in a packet whose lines had left the cache, for those lines to arrive (a store that misses
// does not forward to a later load of the same bytes).
uint16_t fold_complement(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

void write_ipv4(uint8_t* ip, size_t total_len, uint8_t tos, uint16_t id, uint8_t ttl, uint8_t proto, Ipv4Addr src,
                Ipv4Addr dst) {
  ip[0] = 0x45;  // version 4, IHL 5: PANAMA packets carry no IP options
  ip[1] = tos;
  store_be16(ip + 2, uint16_t(total_len));
  store_be16(ip + 4, id);
  store_be16(ip + 6, 0x4000);  // DF: aggregation packets are never fragmented
  ip[8] = ttl;
  ip[9] = proto;
  store_be32(ip + 12, src);
  store_be32(ip + 16, dst);
  // The header checksum from the words just written (the checksum field counts as zero).
  const uint64_t sum = ((0x45u << 8) | tos) + uint16_t(total_len) + id + 0x4000u + ((uint32_t(ttl) << 8) | proto) +
                       (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
  store_be16(ip + 10, fold_complement(sum));
}

// UDP checksum 0 = "not computed", legal for UDP over IPv4 (RFC 768); the accelerator rewrites the payload
// at every hop, so a real design would recompute it in the egress mux; the model leaves it absent.
void write_udp(uint8_t* udp, uint16_t sport, uint16_t dport, size_t udp_len) {
  store_be16(udp, sport);
  store_be16(udp + 2, dport);
  store_be16(udp + 4, uint16_t(udp_len));
  store_be16(udp + 6, 0);
}

void check_cap(size_t need, size_t cap) {
  if (need > cap)
    throw std::length_error("frame of " + std::to_string(need) + " bytes does not fit buffer of " +
                            std::to_string(cap));
}

}  // namespace

size_t encode_aggregation(uint8_t* buf, size_t cap, const AggregationAddressing& a, const PanamaHeader& h,
                          const uint8_t* elements) {
  const size_t elem_bytes = size_t(h.count) * element_bytes(h.type);
  const size_t udp_len = kUdpHeaderBytes + kPanamaHeaderBytes + elem_bytes;
  const size_t ip_len = kIpv4HeaderBytes + udp_len;
  const size_t frame_len = aggregation_frame_bytes(h.count, h.type);
  check_cap(frame_len, cap);
  if (ip_len > 0xffff) throw std::length_error("aggregation packet exceeds the IPv4 total length field");

  MacAddr dst = a.dst_mac;
  if (dst == MacAddr{}) dst = multicast_mac(a.dst_ip);
  write_eth(buf, dst, a.src_mac);
  write_ipv4(buf + kIpOffset, ip_len, uint8_t((kPanamaDscp << 2) | (a.ecn & 3)), a.ip_id, a.ttl, kIpProtoUdp,
             a.src_ip, a.dst_ip);
  write_udp(buf + kUdpOffset, a.src_port, kPanamaUdpPort, udp_len);

  uint8_t* p = buf + kPanamaOffset;
  p[0] = h.version;
  p[1] = h.flags;
  p[2] = uint8_t(h.type);
  p[3] = h.tree;
  store_be16(p + 4, h.job);
  store_be16(p + 6, h.fan_in);
  store_be32(p + 8, h.seq);
  store_be16(p + 12, h.cwnd_cap);
  store_be16(p + 14, h.count);
  store_be32(p + 16, h.iteration);
  store_be16(p + 20, h.worker);
  store_be16(p + 22, 0);  // reserved
  if (elements) std::memcpy(p + kPanamaHeaderBytes, elements, elem_bytes);
  if (frame_len > kElementsOffset + elem_bytes)  // Ethernet minimum-size padding
    std::memset(buf + kElementsOffset + elem_bytes, 0, frame_len - kElementsOffset - elem_bytes);
  return frame_len;
}

namespace {
// Ethernet II + IPv4 headers of a frame whose datagram carries `l4_bytes` of protocol `proto`; returns the
// frame length, padded (with zeros) to the Ethernet minimum. The caller writes the layer-4 bytes.
size_t write_ipv4_frame(uint8_t* buf, size_t cap, const UdpAddressing& a, uint8_t proto, size_t l4_bytes,
                        const char* what) {
  const size_t ip_len = kIpv4HeaderBytes + l4_bytes;
  size_t frame_len = kEthHeaderBytes + ip_len;
  if (frame_len < kEthMinFrameBytes) frame_len = kEthMinFrameBytes;
  check_cap(frame_len, cap);
  if (ip_len > 0xffff) throw std::length_error(std::string(what) + " exceeds the IPv4 total length field");
  write_eth(buf, a.dst_mac, a.src_mac);
  write_ipv4(buf + kIpOffset, ip_len, uint8_t((a.dscp << 2) | (a.ecn & 3)), a.ip_id, a.ttl, proto, a.src_ip, a.dst_ip);
  if (frame_len > kEthHeaderBytes + ip_len) std::memset(buf + kEthHeaderBytes + ip_len, 0, frame_len - kEthHeaderBytes - ip_len);
  return frame_len;
}
}  // namespace

size_t encode_udp(uint8_t* buf, size_t cap, const UdpAddressing& a, const uint8_t* payload, size_t payload_bytes) {
  const size_t udp_len = kUdpHeaderBytes + payload_bytes;
  const size_t frame_len = write_ipv4_frame(buf, cap, a, kIpProtoUdp, udp_len, "UDP datagram");
  write_udp(buf + kUdpOffset, a.src_port, a.dst_port, udp_len);
  if (payload) std::memcpy(buf + kUdpOffset + kUdpHeaderBytes, payload, payload_bytes);
  else std::memset(buf + kUdpOffset + kUdpHeaderBytes, 0, payload_bytes);
  return frame_len;
}

DecodedPacket decode(const uint8_t* f, size_t len) {
  DecodedPacket d;
  auto malformed = [&d](DropReason r) {
    d.cls = PacketClass::malformed;
    d.reason = r;
    return d;
  };
  if (len < kEthHeaderBytes) return malformed(DropReason::truncated);
  if (load_be16(f + 12) != kEtherTypeIpv4) {
    d.cls = PacketClass::non_ipv4;  // e.g. PFC PAUSE or ARP: not ours to judge, passed through
    return d;
  }
  if (len < kIpOffset + kIpv4HeaderBytes) return malformed(DropReason::truncated);
  const uint8_t* ip = f + kIpOffset;
  if ((ip[0] >> 4) != 4) return malformed(DropReason::ip_version);
  const size_t ihl = size_t(ip[0] & 0x0f) * 4;
  if (ihl < kIpv4HeaderBytes || kIpOffset + ihl > len) return malformed(DropReason::ip_header_length);
  if (ipv4_checksum(ip, ihl) != 0) return malformed(DropReason::ip_checksum);
  const size_t ip_total = load_be16(ip + 2);
  // The frame may carry Ethernet padding beyond the datagram, never less than the datagram.
  if (ip_total < ihl || kIpOffset + ip_total > len) return malformed(DropReason::ip_total_length);
  d.dscp = uint8_t(ip[1] >> 2);
  d.ecn = uint8_t(ip[1] & 3);
  d.ip_proto = ip[9];
  d.src_ip = load_be32(ip + 12);
  d.dst_ip = load_be32(ip + 16);
  d.ip_total = uint16_t(ip_total);
  d.cls = PacketClass::ipv4_other;
  if (d.ip_proto == kIpProtoTcp) {
    if (ip_total < ihl + kTcpHeaderBytes) return malformed(DropReason::truncated);
    const uint8_t* t = f + kIpOffset + ihl;
    const size_t doff = size_t(t[12] >> 4) * 4;
    if (doff < kTcpHeaderBytes || ihl + doff > ip_total) return malformed(DropReason::truncated);
    d.src_port = d.tcp.src_port = load_be16(t);
    d.dst_port = d.tcp.dst_port = load_be16(t + 2);
    d.tcp.seq = load_be32(t + 4);
    d.tcp.ack = load_be32(t + 8);
    d.tcp.flags = t[13];
    d.tcp.window = load_be16(t + 14);
    d.tcp_payload = uint16_t(ip_total - ihl - doff);
    return d;
  }
  if (d.ip_proto != kIpProtoUdp) return d;

  const size_t udp_off = kIpOffset + ihl;
  if (ip_total < ihl + kUdpHeaderBytes) return malformed(DropReason::truncated);
  const uint8_t* udp = f + udp_off;
  d.src_port = load_be16(udp);
  d.dst_port = load_be16(udp + 2);
  const size_t udp_len = load_be16(udp + 4);
  if (udp_len < kUdpHeaderBytes || udp_len != ip_total - ihl) return malformed(DropReason::udp_length);
  if (d.dscp != kPanamaDscp || d.dst_port != kPanamaUdpPort) return d;  // ordinary UDP

  // From here the packet claims to be PANAMA: every field is checked before it is trusted. PANAMA packets
  // carry no IP options, so the accelerator's in-place header rewrite can use fixed offsets.
  if (ihl != kIpv4HeaderBytes) return malformed(DropReason::ip_header_length);
  if (udp_len < kUdpHeaderBytes + kPanamaHeaderBytes) return malformed(DropReason::truncated);
  const uint8_t* p = udp + kUdpHeaderBytes;
  PanamaHeader& h = d.hdr;
  h.version = p[0];
  if (h.version != kPanamaVersion) return malformed(DropReason::panama_version);
  h.flags = p[1];
  if (!valid_element_type(p[2])) return malformed(DropReason::element_type);
  h.type = ElementType(p[2]);
  h.tree = p[3];
  h.job = load_be16(p + 4);
  h.fan_in = load_be16(p + 6);
  h.seq = load_be32(p + 8);
  h.cwnd_cap = load_be16(p + 12);
  h.count = load_be16(p + 14);
  h.iteration = load_be32(p + 16);
  h.worker = load_be16(p + 20);
  const size_t elem_bytes = size_t(h.count) * element_bytes(h.type);
  const size_t payload_avail = udp_len - kUdpHeaderBytes - kPanamaHeaderBytes;
  if (udp_off + kUdpHeaderBytes + kPanamaHeaderBytes + elem_bytes > len)
    return malformed(DropReason::element_count_beyond_frame);
  if (elem_bytes != payload_avail) return malformed(DropReason::length_mismatch);
  d.cls = PacketClass::aggregation;
  return d;
}

size_t encode_tcp(uint8_t* buf, size_t cap, const UdpAddressing& a, const TcpSegment& s, size_t payload_bytes,
                  size_t zero_from) {
  const size_t frame_len = write_ipv4_frame(buf, cap, a, kIpProtoTcp, kTcpHeaderBytes + payload_bytes, "TCP segment");
  uint8_t* t = buf + kIpOffset + kIpv4HeaderBytes;
  store_be16(t, s.src_port);
  store_be16(t + 2, s.dst_port);
  store_be32(t + 4, s.seq);
  store_be32(t + 8, s.ack);
  t[12] = uint8_t((kTcpHeaderBytes / 4) << 4);
  t[13] = s.flags;
  store_be16(t + 14, s.window);
  store_be16(t + 18, 0);
  // The payload (and Ethernet padding) is zeros; a clean-tail buffer already holds them from zero_from on.
  const size_t payload_at = kIpOffset + kIpv4HeaderBytes + kTcpHeaderBytes;
  const size_t zero_end = std::min(frame_len, std::max(zero_from, payload_at));
  std::memset(buf + payload_at, 0, zero_end - payload_at);
  // Checksum over pseudo-header + header, from the values written (see fold_complement; the checksum
  // and urgent-pointer words count as zero); the zero payload adds nothing to a ones' complement sum.
  const uint64_t sum = (a.src_ip >> 16) + (a.src_ip & 0xffff) + (a.dst_ip >> 16) + (a.dst_ip & 0xffff) + kIpProtoTcp +
                       uint64_t(kTcpHeaderBytes + payload_bytes) + s.src_port + s.dst_port + (s.seq >> 16) +
                       (s.seq & 0xffff) + (s.ack >> 16) + (s.ack & 0xffff) +
                       ((uint32_t((kTcpHeaderBytes / 4) << 4) << 8) | s.flags) + s.window;
  store_be16(t + 16, fold_complement(sum));
  return frame_len;
}

size_t encode_pfc(uint8_t* buf, size_t cap, const MacAddr& src, uint8_t class_enable, const uint16_t quanta[8]) {
  check_cap(kEthMinFrameBytes, cap);
  std::memset(buf, 0, kEthMinFrameBytes);
  std::memcpy(buf, kPfcDestination.data(), 6);
  std::memcpy(buf + 6, src.data(), 6);
  store_be16(buf + 12, kEtherTypeMacControl);
  store_be16(buf + 14, kPfcOpcode);
  store_be16(buf + 16, class_enable);
  for (int i = 0; i < 8; ++i) store_be16(buf + 18 + 2 * i, quanta[i]);
  return kEthMinFrameBytes;
}

bool decode_pfc(const uint8_t* f, size_t len, PfcFrame& out) {
  if (len < 34 || load_be16(f + 12) != kEtherTypeMacControl || load_be16(f + 14) != kPfcOpcode) return false;
  out.class_enable = uint8_t(load_be16(f + 16));
  for (int i = 0; i < 8; ++i) out.quanta[i] = load_be16(f + 18 + 2 * i);
  return true;
}

uint32_t flow_hash(Ipv4Addr src, Ipv4Addr dst, uint8_t proto, uint16_t sport, uint16_t dport, uint32_t seed) {
  uint64_t h = (uint64_t(src) << 32 | dst) ^ (uint64_t(seed) << 17);
  h ^= (uint64_t(sport) << 48) | (uint64_t(dport) << 32) | proto;
  h *= 0x9E3779B97F4A7C15ull;  // splitmix64 finaliser
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 31;
  return uint32_t(h);
}

void set_ecn(uint8_t* frame, uint8_t ecn) {
  uint8_t* ip = frame + kIpOffset;
  ip[1] = uint8_t((ip[1] & 0xfc) | (ecn & 3));
  store_be16(ip + 10, 0);
  store_be16(ip + 10, ipv4_checksum(ip, size_t(ip[0] & 0x0f) * 4));
}

uint8_t get_ecn(const uint8_t* frame) { return frame[kIpOffset + 1] & 3; }

void set_cwnd_cap(uint8_t* frame, uint16_t cap) { store_be16(frame + kPanamaOffset + 12, cap); }

void set_flags(uint8_t* frame, uint8_t flags) { frame[kPanamaOffset + 1] = flags; }
uint8_t get_flags(const uint8_t* frame) { return frame[kPanamaOffset + 1]; }

}  // namespace panama
